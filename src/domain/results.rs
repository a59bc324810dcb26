//! Load-test results (Meshery's `MesheryResult`): the load generator's result in Fortio's
//! shape, its SMP summary, and what the test was (name, mesh, profile).

use crate::AppState;
use crate::domain::user::User;
use crate::error::AppError;
use crate::store::{ResultQuery, ResultRow};
use chrono::{DateTime, Utc};

/// The SMP specification version the `smp` summaries follow.
pub const SMP_VERSION: &str = "v0.0.1";

#[derive(Clone, Debug, PartialEq)]
pub struct PerfResult {
    pub id: String,
    pub user_id: String,
    pub profile_id: Option<String>,
    pub name: String,
    pub mesh: String,
    pub test_id: String,
    pub test_start_time: DateTime<Utc>,
    /// Fortio's JSON (plus Meshery's `load-generator` key).
    pub runner_results: serde_json::Value,
    /// The SMP summary: `smp_version`, `id`, `labels`, `start_time`, `end_time`,
    /// `latencies_ms`, `actual_qps`, `requests`, `errors`, `test_id`.
    pub smp: serde_json::Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl PerfResult {
    pub(crate) fn from_row(r: ResultRow) -> Self {
        let json = |s: &str| serde_json::from_str(s).unwrap_or(serde_json::json!({}));
        Self {
            runner_results: json(&r.runner_results),
            smp: json(&r.smp),
            test_start_time: crate::store::parse_time(&r.test_start_time),
            created_at: crate::store::parse_time(&r.created_at),
            updated_at: crate::store::parse_time(&r.updated_at),
            id: r.id,
            user_id: r.user_id,
            profile_id: r.profile_id,
            name: r.name,
            mesh: r.mesh,
            test_id: r.test_id,
        }
    }

    /// The result as Meshery's `MesheryResult` JSON (camelCase), as handed to a provider.
    pub fn to_document(&self) -> serde_json::Value {
        serde_json::json!({
            "mesheryId": self.id,
            "name": self.name,
            "mesh": self.mesh,
            "performanceProfile": self.profile_id,
            "testId": self.test_id,
            "runnerResults": self.runner_results,
            "serverMetrics": {},
            "serverBoardConfig": {},
            "testStartTime": crate::store::format_time(self.test_start_time),
            "userId": self.user_id,
            "smp": self.smp,
            "createdAt": crate::store::format_time(self.created_at),
            "updatedAt": crate::store::format_time(self.updated_at),
        })
    }

    pub(crate) fn to_row(&self) -> ResultRow {
        ResultRow {
            id: self.id.clone(),
            user_id: self.user_id.clone(),
            profile_id: self.profile_id.clone(),
            name: self.name.clone(),
            mesh: self.mesh.clone(),
            test_id: self.test_id.clone(),
            test_start_time: crate::store::format_time(self.test_start_time),
            runner_results: self.runner_results.to_string(),
            smp: self.smp.to_string(),
            created_at: crate::store::format_time(self.created_at),
            updated_at: crate::store::format_time(self.updated_at),
        }
    }
}

/// Which results to list, as both transports express it.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub profile_id: Option<String>,
    pub page: i64,
    pub page_size: i64,
    pub search: Option<String>,
    pub ascending: bool,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// Only results updated after this time (Meshery's `updated_after`).
    pub updated_after: Option<DateTime<Utc>>,
}

pub struct Page {
    pub page: i64,
    pub page_size: i64,
    pub total_count: i64,
    pub results: Vec<PerfResult>,
}

pub async fn list(state: &AppState, user: &User, f: Filter) -> Result<Page, AppError> {
    if let Some(id) = &f.profile_id {
        // A profile's results are listed only for one of the user's profiles.
        crate::domain::profiles::get(state, user, id).await?;
    }
    // `from` later than `to` is an empty window, not an error: every schema-valid request is
    // answered (the contract cannot relate two parameters).
    let q = ResultQuery {
        profile_id: f.profile_id,
        search: f.search,
        from: f.from.map(crate::store::format_time),
        to: f.to.map(crate::store::format_time),
        updated_after: f.updated_after.map(crate::store::format_time),
        ascending: f.ascending,
        limit: f.page_size,
        offset: f.page.saturating_mul(f.page_size),
    };
    let (rows, total) = state.store.list_results(&user.id, &q).await?;
    Ok(Page {
        page: f.page,
        page_size: f.page_size,
        total_count: total,
        results: rows.into_iter().map(PerfResult::from_row).collect(),
    })
}

pub async fn get(state: &AppState, user: &User, id: &str) -> Result<PerfResult, AppError> {
    state
        .store
        .get_result(&user.id, id)
        .await?
        .map(PerfResult::from_row)
        .ok_or_else(|| AppError::not_found(format_args!("performance result {id}")))
}

pub(crate) async fn insert(state: &AppState, r: &PerfResult) -> Result<(), AppError> {
    state.store.insert_result(&r.to_row()).await
}
