//! Performance profiles: saved load-test settings (Meshery's `PerformanceProfile`).

use crate::AppState;
use crate::bus::Message;
use crate::domain::user::User;
use crate::error::AppError;
use crate::store::{DocQuery, DocTable, DocumentRow};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The settings part of a profile, stored as JSON.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    pub endpoints: Vec<String>,
    pub load_generators: Vec<String>,
    pub concurrent_request: i32,
    pub qps: i32,
    pub duration: String,
    pub service_mesh: String,
    pub request_headers: String,
    pub request_cookies: String,
    pub request_body: String,
    pub content_type: String,
    pub metadata: serde_json::Map<String, serde_json::Value>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Profile {
    pub id: String,
    pub user_id: String,
    pub name: String,
    pub settings: Settings,
    /// How many results the profile has.
    pub total_results: i64,
    /// When its newest result's test started.
    pub last_run: Option<chrono::DateTime<chrono::Utc>>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl Profile {
    fn with_stats(mut self, stats: &HashMap<String, (i64, String)>) -> Self {
        if let Some((n, last)) = stats.get(&self.id) {
            self.total_results = *n;
            self.last_run = Some(crate::store::parse_time(last));
        }
        self
    }

    fn from_row(r: DocumentRow) -> Self {
        Self {
            settings: serde_json::from_str(&r.data).unwrap_or_default(),
            total_results: 0,
            last_run: None,
            created_at: crate::store::parse_time(&r.created_at),
            updated_at: crate::store::parse_time(&r.updated_at),
            id: r.id,
            user_id: r.user_id,
            name: r.name,
        }
    }
}

/// A profile to save; `id` replaces one of the user's profiles.
pub struct NewProfile {
    pub id: Option<String>,
    pub name: String,
    pub settings: Settings,
}

pub struct Page {
    pub page: i64,
    pub page_size: i64,
    pub total_count: i64,
    pub profiles: Vec<Profile>,
}

/// The contract's rules, enforced here too for callers other than REST. Target URLs and the
/// duration are checked again, strictly, when a run starts (as Meshery does).
fn validate(p: &NewProfile) -> Result<(), AppError> {
    let name = p.name.trim();
    if name.is_empty() || name.chars().count() > 128 {
        return Err(AppError::invalid("name must be 1 to 128 characters long"));
    }
    let s = &p.settings;
    if s.endpoints.is_empty() || s.endpoints.len() > 16 {
        return Err(AppError::invalid("endpoints must list 1 to 16 URLs"));
    }
    if !(1..=1024).contains(&s.concurrent_request) {
        return Err(AppError::invalid(
            "concurrentRequest must be between 1 and 1024",
        ));
    }
    if s.qps < 0 {
        return Err(AppError::invalid(
            "qps must be 0 (as fast as possible) or more",
        ));
    }
    Ok(())
}

pub async fn save(state: &AppState, user: &User, p: NewProfile) -> Result<Profile, AppError> {
    validate(&p)?;
    let now = crate::store::now();
    let (id, created_at) = match &p.id {
        Some(id) => {
            let existing = state
                .store
                .get_document(DocTable::Profiles, &user.id, id)
                .await?
                .ok_or_else(|| AppError::not_found(format_args!("performance profile {id}")))?;
            (existing.id, existing.created_at)
        }
        None => (uuid::Uuid::new_v4().to_string(), now.clone()),
    };
    let row = DocumentRow {
        id,
        user_id: user.id.clone(),
        name: p.name.trim().to_string(),
        data: serde_json::to_string(&p.settings).map_err(AppError::internal)?,
        created_at,
        updated_at: now,
    };
    state.store.put_document(DocTable::Profiles, &row).await?;
    state.bus.publish(Message::PerfChanged {
        user_id: user.id.clone(),
        profile_id: Some(row.id.clone()),
    });
    let stats = state.store.profile_result_stats(&user.id).await?;
    Ok(Profile::from_row(row).with_stats(&stats))
}

pub async fn get(state: &AppState, user: &User, id: &str) -> Result<Profile, AppError> {
    let row = state
        .store
        .get_document(DocTable::Profiles, &user.id, id)
        .await?
        .ok_or_else(|| AppError::not_found(format_args!("performance profile {id}")))?;
    let stats = state.store.profile_result_stats(&user.id).await?;
    Ok(Profile::from_row(row).with_stats(&stats))
}

/// Which profiles to list, as both transports express it.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub page: i64,
    pub page_size: i64,
    pub search: Option<String>,
    pub ascending: bool,
    /// Only profiles updated after this time (Meshery's `updated_after`).
    pub updated_after: Option<chrono::DateTime<chrono::Utc>>,
}

pub async fn list(state: &AppState, user: &User, f: Filter) -> Result<Page, AppError> {
    let (page, page_size) = (f.page, f.page_size);
    let q = DocQuery {
        search: f.search,
        updated_after: f.updated_after.map(crate::store::format_time),
        ascending: f.ascending,
        limit: page_size,
        offset: page.saturating_mul(page_size),
    };
    let (rows, total) = state
        .store
        .list_documents(DocTable::Profiles, &user.id, &q)
        .await?;
    let stats = state.store.profile_result_stats(&user.id).await?;
    Ok(Page {
        page,
        page_size,
        total_count: total,
        profiles: rows
            .into_iter()
            .map(|r| Profile::from_row(r).with_stats(&stats))
            .collect(),
    })
}

pub async fn delete(state: &AppState, user: &User, id: &str) -> Result<(), AppError> {
    if state
        .store
        .delete_document(DocTable::Profiles, &user.id, id)
        .await?
    {
        state.bus.publish(Message::PerfChanged {
            user_id: user.id.clone(),
            profile_id: Some(id.to_string()),
        });
        Ok(())
    } else {
        Err(AppError::not_found(format_args!(
            "performance profile {id}"
        )))
    }
}
