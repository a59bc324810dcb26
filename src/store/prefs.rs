//! User preferences, stored as one JSON document per (user, provider).

use super::Store;
use crate::error::AppError;
use sqlx::Row;

pub struct PrefsRow {
    pub data: String,
    pub updated_at: String,
}

impl Store {
    pub async fn get_prefs(
        &self,
        user_id: &str,
        provider: &str,
    ) -> Result<Option<PrefsRow>, AppError> {
        let row = sqlx::query(
            "SELECT data, updated_at FROM user_preferences WHERE user_id = $1 AND provider = $2",
        )
        .bind(user_id)
        .bind(provider)
        .fetch_optional(self.pool())
        .await?;
        Ok(match row {
            Some(r) => Some(PrefsRow {
                data: r.try_get("data")?,
                updated_at: r.try_get("updated_at")?,
            }),
            None => None,
        })
    }

    pub async fn put_prefs(
        &self,
        user_id: &str,
        provider: &str,
        data: &str,
        updated_at: &str,
    ) -> Result<(), AppError> {
        sqlx::query(
            "INSERT INTO user_preferences (user_id, provider, data, updated_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (user_id, provider) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
        )
        .bind(user_id)
        .bind(provider)
        .bind(data)
        .bind(updated_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }
}
