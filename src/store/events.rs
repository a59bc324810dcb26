//! Events: one row per event, always scoped by the owning user.

use super::{Store, dynamic};
use crate::error::AppError;
use sqlx::Row;
use sqlx::any::AnyRow;

#[derive(Clone, Debug, PartialEq)]
pub struct EventRow {
    pub id: String,
    pub user_id: String,
    pub acted_upon: String,
    pub operation_id: String,
    pub system_id: String,
    pub severity: String,
    pub status: String,
    pub action: String,
    pub category: String,
    pub description: String,
    /// A JSON object.
    pub metadata: String,
    pub created_at: String,
    pub updated_at: String,
}

/// Filters of a page query; every field already validated by the caller.
#[derive(Clone, Debug, Default)]
pub struct EventQuery {
    pub offset: i64,
    pub limit: i64,
    pub search: Option<String>,
    pub categories: Vec<String>,
    pub severities: Vec<String>,
    pub status: Option<String>,
    pub ascending: bool,
}

const COLUMNS: &str = "id, user_id, acted_upon, operation_id, system_id, severity, status, action, category, description, metadata, created_at, updated_at";

fn row(r: &AnyRow) -> Result<EventRow, sqlx::Error> {
    Ok(EventRow {
        id: r.try_get("id")?,
        user_id: r.try_get("user_id")?,
        acted_upon: r.try_get("acted_upon")?,
        operation_id: r.try_get("operation_id")?,
        system_id: r.try_get("system_id")?,
        severity: r.try_get("severity")?,
        status: r.try_get("status")?,
        action: r.try_get("action")?,
        category: r.try_get("category")?,
        description: r.try_get("description")?,
        metadata: r.try_get("metadata")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

/// A WHERE clause and its bound values, numbered from `$1`.
struct Filter {
    sql: String,
    args: Vec<String>,
}

impl Filter {
    fn new(user_id: &str) -> Self {
        Self {
            // Deleted events stay as tombstones (so a provider's copy is not imported again).
            sql: "user_id = $1 AND deleted_at IS NULL".into(),
            args: vec![user_id.to_string()],
        }
    }
    fn push(&mut self, value: String) -> String {
        self.args.push(value);
        format!("${}", self.args.len())
    }
    fn any_of(&mut self, column: &str, values: &[String]) {
        if values.is_empty() {
            return;
        }
        let marks: Vec<String> = values.iter().map(|v| self.push(v.clone())).collect();
        self.sql += &format!(" AND {column} IN ({})", marks.join(", "));
    }
}

fn build_filter(user_id: &str, q: &EventQuery) -> Filter {
    let mut f = Filter::new(user_id);
    f.any_of("category", &q.categories);
    f.any_of("severity", &q.severities);
    if let Some(status) = &q.status {
        let m = f.push(status.clone());
        f.sql += &format!(" AND status = {m}");
    }
    if let Some(search) = q.search.as_deref().filter(|s| !s.is_empty()) {
        let escaped = search
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        let m = f.push(format!("%{escaped}%"));
        f.sql += &format!(
            " AND (LOWER(description) LIKE {m} ESCAPE '\\' OR LOWER(action) LIKE {m} ESCAPE '\\' OR LOWER(category) LIKE {m} ESCAPE '\\')"
        );
    }
    f
}

impl Store {
    pub async fn insert_event(&self, e: &EventRow) -> Result<(), AppError> {
        self.put_event(e, "").await.map(|_| ())
    }

    /// Stores an event another system reported, unless its id is known (even as deleted);
    /// returns whether it was new.
    pub async fn import_event(&self, e: &EventRow) -> Result<bool, AppError> {
        self.put_event(e, " ON CONFLICT (id) DO NOTHING")
            .await
            .map(|n| n > 0)
    }

    async fn put_event(&self, e: &EventRow, on_conflict: &str) -> Result<u64, AppError> {
        let r = dynamic(format!(
            "INSERT INTO events ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13){on_conflict}"
        ))
        .bind(&e.id)
        .bind(&e.user_id)
        .bind(&e.acted_upon)
        .bind(&e.operation_id)
        .bind(&e.system_id)
        .bind(&e.severity)
        .bind(&e.status)
        .bind(&e.action)
        .bind(&e.category)
        .bind(&e.description)
        .bind(&e.metadata)
        .bind(&e.created_at)
        .bind(&e.updated_at)
        .execute(self.pool())
        .await?;
        Ok(r.rows_affected())
    }

    /// A page of events and the total count matching the filters.
    pub async fn list_events(
        &self,
        user_id: &str,
        q: &EventQuery,
    ) -> Result<(Vec<EventRow>, i64), AppError> {
        let f = build_filter(user_id, q);
        let order = if q.ascending { "ASC" } else { "DESC" };
        let sql = format!(
            "SELECT {COLUMNS} FROM events WHERE {} ORDER BY created_at {order}, id {order} LIMIT {} OFFSET {}",
            f.sql, q.limit, q.offset
        );
        let mut query = dynamic(sql);
        for a in &f.args {
            query = query.bind(a);
        }
        let rows = query.fetch_all(self.pool()).await?;
        let events = rows.iter().map(row).collect::<Result<Vec<_>, _>>()?;
        let mut count = dynamic(format!("SELECT COUNT(*) AS n FROM events WHERE {}", f.sql));
        for a in &f.args {
            count = count.bind(a);
        }
        let total: i64 = count.fetch_one(self.pool()).await?.try_get("n")?;
        Ok((events, total))
    }

    /// Count per severity of all the user's events matching the filters.
    pub async fn count_by_severity(
        &self,
        user_id: &str,
        q: &EventQuery,
    ) -> Result<Vec<(String, i64)>, AppError> {
        let f = build_filter(user_id, q);
        let mut query = dynamic(format!(
            "SELECT severity, COUNT(*) AS n FROM events WHERE {} GROUP BY severity ORDER BY severity",
            f.sql
        ));
        for a in &f.args {
            query = query.bind(a);
        }
        let rows = query.fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get::<String, _>("severity")?,
                    r.try_get::<i64, _>("n")?,
                ))
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()
            .map_err(Into::into)
    }

    pub async fn get_event(&self, user_id: &str, id: &str) -> Result<Option<EventRow>, AppError> {
        let r = dynamic(format!(
            "SELECT {COLUMNS} FROM events WHERE user_id = $1 AND id = $2 AND deleted_at IS NULL"
        ))
        .bind(user_id)
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        Ok(r.as_ref().map(row).transpose()?)
    }

    /// Sets the status of the user's events among `ids`; returns how many rows changed.
    pub async fn set_event_status(
        &self,
        user_id: &str,
        ids: &[String],
        status: &str,
        now: &str,
    ) -> Result<u64, AppError> {
        let mut f = Filter::new(user_id);
        let s = f.push(status.to_string());
        let t = f.push(now.to_string());
        f.any_of("id", ids);
        let sql = format!(
            "UPDATE events SET status = {s}, updated_at = {t} WHERE {}",
            f.sql
        );
        let mut q = dynamic(sql);
        for a in &f.args {
            q = q.bind(a);
        }
        Ok(q.execute(self.pool()).await?.rows_affected())
    }

    pub async fn delete_events(&self, user_id: &str, ids: &[String]) -> Result<u64, AppError> {
        let mut f = Filter::new(user_id);
        let now = f.push(super::now());
        f.any_of("id", ids);
        let sql = format!("UPDATE events SET deleted_at = {now} WHERE {}", f.sql);
        let mut q = dynamic(sql);
        for a in &f.args {
            q = q.bind(a);
        }
        Ok(q.execute(self.pool()).await?.rows_affected())
    }

    /// Distinct categories and actions of the user's events.
    pub async fn event_types(&self, user_id: &str) -> Result<(Vec<String>, Vec<String>), AppError> {
        let mut lists = Vec::new();
        for column in ["category", "action"] {
            let rows = dynamic(format!(
                "SELECT DISTINCT {column} AS v FROM events WHERE user_id = $1 AND deleted_at IS NULL ORDER BY v"
            ))
            .bind(user_id)
            .fetch_all(self.pool())
            .await?;
            lists.push(
                rows.iter()
                    .map(|r| r.try_get::<String, _>("v"))
                    .collect::<Result<Vec<_>, _>>()?,
            );
        }
        let actions = lists.pop().unwrap_or_default();
        let categories = lists.pop().unwrap_or_default();
        Ok((categories, actions))
    }
}
