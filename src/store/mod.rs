//! Persistence through sqlx's `Any` driver, so one set of queries serves SQLite (the default,
//! embedded) and PostgreSQL (`DATABASE_URL=postgres://…`, for several replicas). Queries use
//! `$N` placeholders, which both backends accept, and store timestamps as fixed-width RFC 3339
//! text so they sort the same everywhere.

mod documents;
mod events;
mod migrations;
mod prefs;
mod results;
mod schedules;

pub use documents::{DocQuery, DocTable, DocumentRow};
pub use events::{EventQuery, EventRow};
pub use prefs::PrefsRow;
pub use results::{ResultQuery, ResultRow};
pub use schedules::ScheduleRow;

use crate::error::AppError;
use sqlx::AnyPool;
use sqlx::any::AnyPoolOptions;
use std::path::PathBuf;
use std::time::Duration;

/// Tables owned by the server, in the order `reset` empties them.
pub const TABLES: &[&str] = &[
    "events",
    "performance_profiles",
    "performance_results",
    "perf_test_configs",
    "schedules",
    "user_preferences",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// The SQLite file, when the backend is SQLite.
    sqlite_file: Option<PathBuf>,
}

impl Store {
    /// Opens (creating if needed) the database and runs the embedded migrations.
    pub async fn open(
        database_url: Option<&str>,
        data_folder: &std::path::Path,
    ) -> Result<Self, String> {
        sqlx::any::install_default_drivers();
        let (url, backend, sqlite_file) = match database_url {
            Some(u) if u.starts_with("postgres://") || u.starts_with("postgresql://") => {
                (u.to_string(), Backend::Postgres, None)
            }
            Some(u) if u.starts_with("sqlite:") => {
                let file = u
                    .trim_start_matches("sqlite://")
                    .trim_start_matches("sqlite:");
                let file = PathBuf::from(file.split('?').next().unwrap_or(file));
                (u.to_string(), Backend::Sqlite, Some(file))
            }
            Some(u) => {
                return Err(format!(
                    "unsupported DATABASE_URL scheme in `{}`",
                    crate::config::mask_url(u)
                ));
            }
            None => {
                std::fs::create_dir_all(data_folder)
                    .map_err(|e| format!("cannot create {}: {e}", data_folder.display()))?;
                let file = data_folder.join("mesherydb.sql");
                (
                    format!("sqlite://{}?mode=rwc", file.display()),
                    Backend::Sqlite,
                    Some(file),
                )
            }
        };
        let mut options = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(5));
        if backend == Backend::Sqlite {
            options = options.max_connections(4).after_connect(|conn, _| {
                Box::pin(async move {
                    use sqlx::Executor;
                    conn.execute("PRAGMA journal_mode=WAL").await?;
                    conn.execute("PRAGMA busy_timeout=5000").await?;
                    conn.execute("PRAGMA foreign_keys=ON").await?;
                    Ok(())
                })
            });
        } else {
            options = options.max_connections(16);
        }
        let pool = options
            .connect(&url)
            .await
            .map_err(|e| format!("cannot open the database: {e}"))?;
        migrations::run(&pool)
            .await
            .map_err(|e| format!("migrations failed: {e}"))?;
        Ok(Self {
            pool,
            backend,
            sqlite_file,
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Readiness: one round trip.
    pub async fn ping(&self) -> Result<(), AppError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Row count per table.
    pub async fn table_counts(&self) -> Result<Vec<(String, i64)>, AppError> {
        let mut out = Vec::new();
        for table in TABLES {
            use sqlx::Row;
            let row = dynamic(format!("SELECT COUNT(*) AS n FROM {table}"))
                .fetch_one(&self.pool)
                .await?;
            out.push((table.to_string(), row.try_get::<i64, _>("n")?));
        }
        Ok(out)
    }

    /// Empties every table. On SQLite the database is first copied (a consistent snapshot via
    /// `VACUUM INTO`) to `.archive/mesherydb<YYYYMMDDhhmmss>.sql`; the path is returned.
    pub async fn reset(&self) -> Result<Option<PathBuf>, AppError> {
        let archived = match &self.sqlite_file {
            Some(file) => {
                let dir = file
                    .parent()
                    .unwrap_or(std::path::Path::new("."))
                    .join(".archive");
                std::fs::create_dir_all(&dir).map_err(AppError::internal)?;
                let stamp = chrono::Utc::now().format("%Y%m%d%H%M%S%3f");
                let target = dir.join(format!("mesherydb{stamp}.sql"));
                let quoted = target.display().to_string().replace('\'', "''");
                dynamic(format!("VACUUM INTO '{quoted}'"))
                    .execute(&self.pool)
                    .await?;
                Some(target)
            }
            None => None,
        };
        let mut tx = self.pool.begin().await?;
        for table in TABLES {
            dynamic(format!("DELETE FROM {table}"))
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(archived)
    }

    /// Waits for pending writes and closes connections (SQLite checkpoints its WAL on close).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }
}

/// A statement assembled at run time. Only this module builds such strings, from constant
/// fragments and `$N` placeholders; values are always bound, never spliced in.
pub(crate) fn dynamic(
    sql: String,
) -> sqlx::query::Query<'static, sqlx::Any, sqlx::any::AnyArguments> {
    sqlx::query(sqlx::AssertSqlSafe(sql))
}

/// A `WHERE` clause built from conditions with `?` for their value, numbered `$1, $2, …` in
/// order, and the values to bind in the same order. Values are always bound, never spliced.
pub(crate) struct Where {
    clauses: Vec<String>,
    binds: Vec<String>,
}

impl Where {
    /// Rows of one user (every query of user data starts here).
    pub(crate) fn user(user_id: &str) -> Self {
        let mut w = Where {
            clauses: Vec::new(),
            binds: Vec::new(),
        };
        w.add("user_id = ?", user_id.to_string());
        w
    }

    pub(crate) fn add(&mut self, clause: &str, value: String) {
        self.binds.push(value);
        self.clauses
            .push(clause.replace('?', &format!("${}", self.binds.len())));
    }

    /// Case-insensitive substring match on `column`, if `search` is given.
    pub(crate) fn search(&mut self, column: &str, search: Option<&str>) {
        if let Some(p) = like_pattern(search) {
            self.add(&format!("LOWER({column}) LIKE ? ESCAPE '\\'"), p);
        }
    }

    pub(crate) fn sql(&self) -> String {
        self.clauses.join(" AND ")
    }

    pub(crate) fn bind(
        &self,
        mut q: sqlx::query::Query<'static, sqlx::Any, sqlx::any::AnyArguments>,
    ) -> sqlx::query::Query<'static, sqlx::Any, sqlx::any::AnyArguments> {
        for b in &self.binds {
            q = q.bind(b.clone());
        }
        q
    }
}

/// A case-insensitive `LIKE … ESCAPE '\\'` pattern matching `search` anywhere (compare with
/// `LOWER(column)`); `None` for no or empty search.
pub(crate) fn like_pattern(search: Option<&str>) -> Option<String> {
    search.filter(|s| !s.is_empty()).map(|s| {
        let escaped = s
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        format!("%{escaped}%")
    })
}

/// Current time in the stored format.
pub fn now() -> String {
    format_time(chrono::Utc::now())
}

pub fn format_time(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

pub fn parse_time(s: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&chrono::Utc))
        .unwrap_or_default()
}
