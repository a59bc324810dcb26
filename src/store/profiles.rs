//! Performance profiles, one row per profile, always scoped by the owning user.

use super::{Store, dynamic};
use crate::error::AppError;
use sqlx::Row;

#[derive(Clone, Debug, PartialEq)]
pub struct ProfileRow {
    pub id: String,
    pub user_id: String,
    pub name: String,
    /// The profile's settings as JSON.
    pub data: String,
    pub created_at: String,
    pub updated_at: String,
}

const COLUMNS: &str = "id, user_id, name, data, created_at, updated_at";

fn row(r: &sqlx::any::AnyRow) -> Result<ProfileRow, sqlx::Error> {
    Ok(ProfileRow {
        id: r.try_get("id")?,
        user_id: r.try_get("user_id")?,
        name: r.try_get("name")?,
        data: r.try_get("data")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

impl Store {
    /// Inserts the profile, or replaces the user's profile with the same id.
    pub async fn put_profile(&self, p: &ProfileRow) -> Result<(), AppError> {
        dynamic(format!(
            "INSERT INTO performance_profiles ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, data = excluded.data, updated_at = excluded.updated_at
             WHERE performance_profiles.user_id = excluded.user_id"
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

    pub async fn get_profile(
        &self,
        user_id: &str,
        id: &str,
    ) -> Result<Option<ProfileRow>, AppError> {
        let r = dynamic(format!(
            "SELECT {COLUMNS} FROM performance_profiles WHERE user_id = $1 AND id = $2"
        ))
        .bind(user_id)
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        Ok(r.as_ref().map(row).transpose()?)
    }

    /// A page of the user's profiles (newest update first unless `ascending`) and the total.
    pub async fn list_profiles(
        &self,
        user_id: &str,
        search: Option<&str>,
        ascending: bool,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<ProfileRow>, i64), AppError> {
        let pattern = search.filter(|s| !s.is_empty()).map(|s| {
            let escaped = s
                .to_lowercase()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            format!("%{escaped}%")
        });
        let filter = if pattern.is_some() {
            "user_id = $1 AND LOWER(name) LIKE $2 ESCAPE '\\'"
        } else {
            "user_id = $1"
        };
        let order = if ascending { "ASC" } else { "DESC" };
        let mut q = dynamic(format!(
            "SELECT {COLUMNS} FROM performance_profiles WHERE {filter} ORDER BY updated_at {order}, id {order} LIMIT {limit} OFFSET {offset}"
        ))
        .bind(user_id.to_string());
        let mut c = dynamic(format!(
            "SELECT COUNT(*) AS n FROM performance_profiles WHERE {filter}"
        ))
        .bind(user_id.to_string());
        if let Some(p) = &pattern {
            q = q.bind(p.clone());
            c = c.bind(p.clone());
        }
        let rows = q.fetch_all(self.pool()).await?;
        let total: i64 = c.fetch_one(self.pool()).await?.try_get("n")?;
        Ok((rows.iter().map(row).collect::<Result<Vec<_>, _>>()?, total))
    }

    pub async fn delete_profile(&self, user_id: &str, id: &str) -> Result<bool, AppError> {
        let r =
            dynamic("DELETE FROM performance_profiles WHERE user_id = $1 AND id = $2".to_string())
                .bind(user_id)
                .bind(id)
                .execute(self.pool())
                .await?;
        Ok(r.rows_affected() > 0)
    }
}
