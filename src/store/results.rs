//! Load-test results, one row per run, always scoped by the owning user.

use super::{Store, Where, dynamic};
use crate::error::AppError;
use sqlx::Row;
use std::collections::HashMap;

#[derive(Clone, Debug, PartialEq)]
pub struct ResultRow {
    pub id: String,
    pub user_id: String,
    pub profile_id: Option<String>,
    pub name: String,
    pub mesh: String,
    pub test_id: String,
    pub test_start_time: String,
    /// Fortio's result JSON.
    pub runner_results: String,
    /// The SMP summary JSON.
    pub smp: String,
    pub created_at: String,
    pub updated_at: String,
}

/// Which results to list.
#[derive(Clone, Debug, Default)]
pub struct ResultQuery {
    pub profile_id: Option<String>,
    pub search: Option<String>,
    /// Stored-format times bounding `test_start_time`, inclusive.
    pub from: Option<String>,
    pub to: Option<String>,
    /// Stored-format time: only results updated after it.
    pub updated_after: Option<String>,
    pub ascending: bool,
    pub limit: i64,
    pub offset: i64,
}

const COLUMNS: &str = "id, user_id, profile_id, name, mesh, test_id, test_start_time, runner_results, smp, created_at, updated_at";

fn row(r: &sqlx::any::AnyRow) -> Result<ResultRow, sqlx::Error> {
    Ok(ResultRow {
        id: r.try_get("id")?,
        user_id: r.try_get("user_id")?,
        profile_id: r.try_get("profile_id")?,
        name: r.try_get("name")?,
        mesh: r.try_get("mesh")?,
        test_id: r.try_get("test_id")?,
        test_start_time: r.try_get("test_start_time")?,
        runner_results: r.try_get("runner_results")?,
        smp: r.try_get("smp")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

impl Store {
    pub async fn insert_result(&self, r: &ResultRow) -> Result<(), AppError> {
        dynamic(format!(
            "INSERT INTO performance_results ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
        ))
        .bind(&r.id)
        .bind(&r.user_id)
        .bind(r.profile_id.clone())
        .bind(&r.name)
        .bind(&r.mesh)
        .bind(&r.test_id)
        .bind(&r.test_start_time)
        .bind(&r.runner_results)
        .bind(&r.smp)
        .bind(&r.created_at)
        .bind(&r.updated_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub async fn get_result(&self, user_id: &str, id: &str) -> Result<Option<ResultRow>, AppError> {
        let r = dynamic(format!(
            "SELECT {COLUMNS} FROM performance_results WHERE user_id = $1 AND id = $2"
        ))
        .bind(user_id)
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        Ok(r.as_ref().map(row).transpose()?)
    }

    /// A page of the user's results by test start time, and how many match in all.
    pub async fn list_results(
        &self,
        user_id: &str,
        q: &ResultQuery,
    ) -> Result<(Vec<ResultRow>, i64), AppError> {
        let mut w = Where::user(user_id);
        if let Some(p) = &q.profile_id {
            w.add("profile_id = ?", p.clone());
        }
        w.search("name", q.search.as_deref());
        if let Some(from) = &q.from {
            w.add("test_start_time >= ?", from.clone());
        }
        if let Some(to) = &q.to {
            w.add("test_start_time <= ?", to.clone());
        }
        if let Some(after) = &q.updated_after {
            w.add("updated_at > ?", after.clone());
        }
        let filter = w.sql();
        let order = if q.ascending { "ASC" } else { "DESC" };
        let (limit, offset) = (q.limit, q.offset);
        let rows = w.bind(dynamic(format!(
            "SELECT {COLUMNS} FROM performance_results WHERE {filter} ORDER BY test_start_time {order}, id {order} LIMIT {limit} OFFSET {offset}"
        )));
        let count = w.bind(dynamic(format!(
            "SELECT COUNT(*) AS n FROM performance_results WHERE {filter}"
        )));
        let rows = rows.fetch_all(self.pool()).await?;
        let total: i64 = count.fetch_one(self.pool()).await?.try_get("n")?;
        Ok((rows.iter().map(row).collect::<Result<Vec<_>, _>>()?, total))
    }

    /// Per profile of the user: how many results it has and when its newest test started.
    pub async fn profile_result_stats(
        &self,
        user_id: &str,
    ) -> Result<HashMap<String, (i64, String)>, AppError> {
        let rows = dynamic(
            "SELECT profile_id, COUNT(*) AS n, MAX(test_start_time) AS last_run FROM performance_results
             WHERE user_id = $1 AND profile_id IS NOT NULL GROUP BY profile_id"
                .to_string(),
        )
        .bind(user_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get::<String, _>("profile_id")?,
                    (r.try_get("n")?, r.try_get("last_run")?),
                ))
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(AppError::from)
    }
}
