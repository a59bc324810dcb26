//! Resolver bodies for the performance area: Meshery's profile and result fields and their
//! subscriptions, plus the live progress of running tests. Same domain functions as REST.
//!
//! Meshery's subscriptions (`subscribePerfProfiles`, `subscribePerfResults`) send the whole
//! selected page; here they send it at once and again after every change that can alter it
//! (a profile saved or deleted, a run stored), which the bus announces as `PerfChanged`.

use crate::AppState;
use crate::bus::Message;
use crate::domain::profiles::{self, Profile};
use crate::domain::results::{self, PerfResult};
use crate::domain::runs::{self, RunUpdate};
use crate::domain::user::User;
use crate::error::{AppError, GqlResult};
use crate::generated::graphql::*;
use async_graphql::{ID, Result};
use futures::StreamExt;
use futures::stream::BoxStream;
use std::sync::Arc;

fn time(t: chrono::DateTime<chrono::Utc>) -> Time {
    Time(serde_json::Value::String(crate::store::format_time(t)))
}

fn int(n: impl TryInto<i32>) -> i32 {
    n.try_into().unwrap_or(i32::MAX)
}

/// A `PageFilter` read: Meshery sends numbers as strings.
#[derive(Clone, Debug)]
pub struct Selection {
    page: i64,
    page_size: i64,
    search: Option<String>,
    ascending: bool,
    from: Option<chrono::DateTime<chrono::Utc>>,
    to: Option<chrono::DateTime<chrono::Utc>>,
    updated_after: Option<chrono::DateTime<chrono::Utc>>,
}

pub fn selection(f: &PageFilter) -> Result<Selection, AppError> {
    let number = |name: &str, s: &str, min: i64, max: i64| {
        s.trim()
            .parse::<i64>()
            .ok()
            .filter(|n| (min..=max).contains(n))
            .ok_or_else(|| {
                AppError::invalid(format!("{name} must be a number from {min} to {max}"))
            })
    };
    let time = |name: &str, s: &Option<String>| {
        s.as_deref()
            .filter(|s| !s.is_empty())
            .map(|s| {
                chrono::DateTime::parse_from_rfc3339(s)
                    .map(|t| t.with_timezone(&chrono::Utc))
                    .map_err(|_| AppError::invalid(format!("{name} must be an RFC 3339 time")))
            })
            .transpose()
    };
    Ok(Selection {
        page: number("page", &f.page, 0, 1_000_000)?,
        page_size: number("pageSize", &f.page_size, 1, 100)?,
        search: f.search.clone(),
        ascending: match f.order.as_deref().map(str::trim) {
            None | Some("" | "desc") => false,
            Some("asc") => true,
            Some(_) => return Err(AppError::invalid("order must be `asc` or `desc`")),
        },
        from: time("from", &f.from)?,
        to: time("to", &f.to)?,
        updated_after: time("updated_after", &f.updated_after)?,
    })
}

fn profile(p: Profile) -> PerfProfile {
    let s = p.settings;
    PerfProfile {
        id: ID(p.id),
        name: p.name,
        user_id: p.user_id,
        endpoints: s.endpoints,
        load_generators: s.load_generators,
        concurrent_request: s.concurrent_request,
        qps: s.qps,
        duration: s.duration,
        service_mesh: s.service_mesh,
        request_headers: s.request_headers,
        request_cookies: s.request_cookies,
        request_body: s.request_body,
        content_type: s.content_type,
        metadata: Map(serde_json::Value::Object(s.metadata)),
        total_results: int(p.total_results),
        last_run: p.last_run.map(time),
        created_at: time(p.created_at),
        updated_at: time(p.updated_at),
    }
}

fn result(r: &PerfResult) -> MesheryResult {
    let empty = || Map(serde_json::json!({}));
    MesheryResult {
        meshery_id: ID(r.id.clone()),
        name: r.name.clone(),
        mesh: r.mesh.clone(),
        performance_profile: r.profile_id.clone(),
        test_id: r.test_id.clone(),
        runner_results: Map(r.runner_results.clone()),
        server_metrics: empty(),
        server_board_config: empty(),
        test_start_time: time(r.test_start_time),
        user_id: r.user_id.clone(),
        smp: Map(r.smp.clone()),
        created_at: time(r.created_at),
        updated_at: time(r.updated_at),
    }
}

fn progress(u: &RunUpdate) -> PerfProgress {
    PerfProgress {
        run_id: ID(u.run_id.clone()),
        profile_id: u.profile_id.clone(),
        status: u.status.as_str().to_string(),
        message: u.message.clone(),
        requests: int(u.progress.requests),
        errors: int(u.progress.errors),
        current_qps: u.progress.current_qps,
        elapsed_seconds: u.progress.elapsed.as_secs_f64(),
        duration_seconds: u.duration.as_secs_f64(),
        result: u.result.as_deref().map(result),
    }
}

pub async fn profiles_page(
    state: &AppState,
    user: &User,
    s: &Selection,
) -> Result<PerfPageProfiles, AppError> {
    let f = profiles::Filter {
        page: s.page,
        page_size: s.page_size,
        search: s.search.clone(),
        ascending: s.ascending,
        updated_after: s.updated_after,
    };
    let p = profiles::list(state, user, f).await?;
    Ok(PerfPageProfiles {
        page: int(p.page),
        page_size: int(p.page_size),
        total_count: int(p.total_count),
        profiles: p.profiles.into_iter().map(profile).collect(),
    })
}

pub async fn results_page(
    state: &AppState,
    user: &User,
    s: &Selection,
    profile_id: Option<String>,
) -> Result<PerfPageResult, AppError> {
    if let Some(id) = &profile_id
        && uuid::Uuid::parse_str(id).is_err()
    {
        return Err(AppError::invalid("profileID must be a UUID"));
    }
    let f = results::Filter {
        profile_id,
        page: s.page,
        page_size: s.page_size,
        search: s.search.clone(),
        ascending: s.ascending,
        from: s.from,
        to: s.to,
        updated_after: s.updated_after,
    };
    let p = results::list(state, user, f).await?;
    Ok(PerfPageResult {
        page: int(p.page),
        page_size: int(p.page_size),
        total_count: int(p.total_count),
        results: p.results.iter().map(result).collect(),
    })
}

pub async fn one_result(state: &AppState, user: &User, id: &str) -> Result<Option<MesheryResult>> {
    if uuid::Uuid::parse_str(id).is_err() {
        return Err(AppError::invalid("id must be a UUID").gql());
    }
    match results::get(state, user, id).await {
        Ok(r) => Ok(Some(result(&r))),
        Err(e) if e.status() == poem::http::StatusCode::NOT_FOUND => Ok(None),
        Err(e) => Err(e.gql()),
    }
}

/// `fetch` now, then again after each `PerfChanged` of the user that `relevant` accepts.
pub fn page_stream<T, F, Fut>(
    state: &Arc<AppState>,
    user: &User,
    relevant: impl Fn(Option<&str>) -> bool + Send + 'static,
    fetch: F,
) -> BoxStream<'static, Result<T>>
where
    T: Send + 'static,
    F: Fn() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = Result<T, AppError>> + Send + 'static,
{
    let user_id = user.id.clone();
    let changes = state.bus.subscribe().filter_map(move |m| {
        let hit = matches!(&m, Message::PerfChanged { user_id: u, profile_id }
            if *u == user_id && relevant(profile_id.as_deref()));
        async move { hit.then_some(()) }
    });
    futures::stream::once(async {})
        .chain(changes)
        .then(move |()| {
            let fut = fetch();
            async move { fut.await.gql() }
        })
        .take_until(state.shutdown_signal())
        .boxed()
}

/// The user's run updates (of one profile, if given).
pub fn progress_stream(
    state: &AppState,
    user: &User,
    profile_id: Option<String>,
) -> BoxStream<'static, Result<PerfProgress>> {
    runs::user_updates(state, user.id.clone())
        .filter(move |u| {
            let keep = profile_id.is_none() || u.profile_id == profile_id;
            std::future::ready(keep)
        })
        .map(|u| Ok(progress(&u)))
        .take_until(state.shutdown_signal())
        .boxed()
}
