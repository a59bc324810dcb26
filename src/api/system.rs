//! `System` tag: version, health probes and the database.

use super::Handlers;
use crate::error::AppError;
use crate::generated::rest::*;
use poem_openapi::payload::Json;

impl SystemApi for Handlers {
    async fn get_system_version(&self) -> Result<GetSystemVersionResponse, AppError> {
        let c = &self.config;
        Ok(GetSystemVersionResponse::Ok(Json(Version {
            build: c.build.clone(),
            // No release check: the server works offline and never calls out to learn this.
            latest: c.build.clone(),
            outdated: false,
            commitsha: c.commitsha.clone(),
            release_channel: c.release_channel.clone(),
        })))
    }

    async fn get_health_live(&self) -> Result<GetHealthLiveResponse, AppError> {
        Ok(GetHealthLiveResponse::Ok(Json(Health {
            status: HealthStatus::Ok,
            database: None,
        })))
    }

    async fn get_health_ready(&self) -> Result<GetHealthReadyResponse, AppError> {
        match self.store.ping().await {
            Ok(()) => Ok(GetHealthReadyResponse::Ok(Json(Health {
                status: HealthStatus::Ok,
                database: Some("ok".into()),
            }))),
            Err(e) => Err(AppError::new(
                ErrorCode::DatabaseUnavailable,
                format!("database check failed: {}", e.message),
            )),
        }
    }

    async fn get_system_database(
        &self,
        _auth: crate::auth::Authenticated,
        search: Option<String>,
    ) -> Result<GetSystemDatabaseResponse, AppError> {
        let counts = self.store.table_counts().await?;
        let tables: Vec<TableCount> = counts
            .into_iter()
            .filter(|(name, _)| search.as_deref().is_none_or(|s| name.contains(s)))
            .map(|(name, count)| TableCount { name, count })
            .collect();
        Ok(GetSystemDatabaseResponse::Ok(Json(DatabaseSummary {
            total_tables: tables.len() as i64,
            record_count: tables.iter().map(|t| t.count).sum(),
            tables,
        })))
    }

    async fn reset_system_database(
        &self,
        auth: crate::auth::Authenticated,
    ) -> Result<ResetSystemDatabaseResponse, AppError> {
        let archived = self.store.reset().await?;
        tracing::warn!(user = %auth.0.user.id, archive = ?archived, "database reset");
        Ok(ResetSystemDatabaseResponse::Ok(Json(DatabaseReset {
            message: "Database reset successful".into(),
            archived_to: archived.map(|p| p.display().to_string()),
        })))
    }
}
