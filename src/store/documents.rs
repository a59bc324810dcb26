//! Tables of user-owned JSON documents with a searchable name: performance profiles and
//! stored SMP test configurations. Every query is scoped by the owning user.

use super::{Store, Where, dynamic};
use crate::error::AppError;
use sqlx::Row;

/// The tables of this shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocTable {
    Profiles,
    TestConfigs,
}

impl DocTable {
    fn name(self) -> &'static str {
        match self {
            DocTable::Profiles => "performance_profiles",
            DocTable::TestConfigs => "perf_test_configs",
        }
    }
}

/// Which documents to list.
#[derive(Clone, Debug, Default)]
pub struct DocQuery {
    pub search: Option<String>,
    /// Stored-format time: only documents updated after it.
    pub updated_after: Option<String>,
    pub ascending: bool,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct DocumentRow {
    pub id: String,
    pub user_id: String,
    pub name: String,
    /// The document as JSON.
    pub data: String,
    pub created_at: String,
    pub updated_at: String,
}

const COLUMNS: &str = "id, user_id, name, data, created_at, updated_at";

fn row(r: &sqlx::any::AnyRow) -> Result<DocumentRow, sqlx::Error> {
    Ok(DocumentRow {
        id: r.try_get("id")?,
        user_id: r.try_get("user_id")?,
        name: r.try_get("name")?,
        data: r.try_get("data")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

impl Store {
    /// Inserts the document, or replaces the user's document with the same id (never another
    /// user's).
    pub async fn put_document(&self, t: DocTable, p: &DocumentRow) -> Result<(), AppError> {
        let table = t.name();
        dynamic(format!(
            "INSERT INTO {table} ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, data = excluded.data, updated_at = excluded.updated_at
             WHERE {table}.user_id = excluded.user_id"
        ))
        .bind(&p.id)
        .bind(&p.user_id)
        .bind(&p.name)
        .bind(&p.data)
        .bind(&p.created_at)
        .bind(&p.updated_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub async fn get_document(
        &self,
        t: DocTable,
        user_id: &str,
        id: &str,
    ) -> Result<Option<DocumentRow>, AppError> {
        let table = t.name();
        let r = dynamic(format!(
            "SELECT {COLUMNS} FROM {table} WHERE user_id = $1 AND id = $2"
        ))
        .bind(user_id)
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        Ok(r.as_ref().map(row).transpose()?)
    }

    /// A page of the user's documents (newest update first unless `ascending`) and the total.
    pub async fn list_documents(
        &self,
        t: DocTable,
        user_id: &str,
        q: &DocQuery,
    ) -> Result<(Vec<DocumentRow>, i64), AppError> {
        let mut w = Where::user(user_id);
        w.search("name", q.search.as_deref());
        if let Some(after) = &q.updated_after {
            w.add("updated_at > ?", after.clone());
        }
        let filter = w.sql();
        let order = if q.ascending { "ASC" } else { "DESC" };
        let (table, limit, offset) = (t.name(), q.limit, q.offset);
        let rows = w
            .bind(dynamic(format!(
                "SELECT {COLUMNS} FROM {table} WHERE {filter} ORDER BY updated_at {order}, id {order} LIMIT {limit} OFFSET {offset}"
            )))
            .fetch_all(self.pool())
            .await?;
        let total: i64 = w
            .bind(dynamic(format!(
                "SELECT COUNT(*) AS n FROM {table} WHERE {filter}"
            )))
            .fetch_one(self.pool())
            .await?
            .try_get("n")?;
        Ok((rows.iter().map(row).collect::<Result<Vec<_>, _>>()?, total))
    }

    pub async fn delete_document(
        &self,
        t: DocTable,
        user_id: &str,
        id: &str,
    ) -> Result<bool, AppError> {
        let table = t.name();
        let r = dynamic(format!(
            "DELETE FROM {table} WHERE user_id = $1 AND id = $2"
        ))
        .bind(user_id)
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(r.rows_affected() > 0)
    }
}
