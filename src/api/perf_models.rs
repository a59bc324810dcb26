//! Conversions between the performance domain and the generated REST models, shared by the
//! `Performance` handlers.

use crate::AppState;
use crate::domain::results::PerfResult;
use crate::domain::runs::{RunHandle, RunStatus, RunUpdate};
use crate::error::AppError;
use crate::generated::rest::*;
use futures::StreamExt;
use futures::stream::BoxStream;
use poem_openapi::types::ParseFromJSON;
use std::collections::BTreeMap;
use std::sync::Arc;

fn object(v: &serde_json::Value) -> BTreeMap<String, serde_json::Value> {
    v.as_object()
        .map(|o| o.clone().into_iter().collect())
        .unwrap_or_default()
}

fn uuid(s: &str) -> Result<uuid::Uuid, AppError> {
    s.parse().map_err(AppError::internal)
}

pub fn result_model(r: &PerfResult) -> Result<PerformanceResult, AppError> {
    // Stored by this server in the contract's shape; a row that no longer parses is a bug.
    let smp = SmpResult::parse_from_json(Some(r.smp.clone())).map_err(|e| {
        AppError::internal(format!("stored SMP summary of {}: {}", r.id, e.message()))
    })?;
    Ok(PerformanceResult {
        meshery_id: uuid(&r.id)?,
        name: r.name.clone(),
        mesh: r.mesh.clone(),
        performance_profile: r.profile_id.as_deref().map(uuid).transpose()?,
        test_id: r.test_id.clone(),
        runner_results: object(&r.runner_results),
        server_metrics: BTreeMap::new(),
        server_board_config: BTreeMap::new(),
        test_start_time: r.test_start_time,
        user_id: r.user_id.clone(),
        smp,
        created_at: r.created_at,
        updated_at: r.updated_at,
    })
}

pub fn test_config_model(data: serde_json::Value) -> Result<PerformanceTestConfig, AppError> {
    PerformanceTestConfig::parse_from_json(Some(data))
        .map_err(|e| AppError::internal(format!("stored test configuration: {}", e.message())))
}

fn update_model(u: &RunUpdate) -> LoadTestResponse {
    let result = match u.result.as_deref().map(result_model).transpose() {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(run = %u.run_id, error = %e.message, "result does not convert");
            None
        }
    };
    LoadTestResponse {
        status: match u.status {
            RunStatus::Info => LoadTestStatus::Info,
            RunStatus::Error => LoadTestStatus::Error,
            RunStatus::Success => LoadTestStatus::Success,
        },
        message: u.message.clone(),
        progress: Some(LoadTestProgress {
            run_id: u.run_id.parse().unwrap_or_default(),
            requests: i64::try_from(u.progress.requests).unwrap_or(i64::MAX),
            errors: i64::try_from(u.progress.errors).unwrap_or(i64::MAX),
            current_qps: u.progress.current_qps,
            elapsed_seconds: u.progress.elapsed.as_secs_f64(),
            duration_seconds: u.duration.as_secs_f64(),
        }),
        result,
    }
}

/// A run's updates as the SSE stream of `LoadTestResponse`s. Dropping it (the client went
/// away) does not stop the run.
pub fn run_stream(state: &Arc<AppState>, h: RunHandle) -> BoxStream<'static, LoadTestResponse> {
    let guard = state.metrics.sse_opened();
    h.updates
        .map(move |u| {
            let _open = &guard;
            update_model(&u)
        })
        .boxed()
}
