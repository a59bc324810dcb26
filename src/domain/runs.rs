//! Running a load test: what Meshery's run endpoints do, shared by REST (an SSE stream), the
//! scheduler and GraphQL's progress subscription.
//!
//! A run is a task of its own, not tied to the request that started it: the client may go
//! away and the test still finishes and is stored (as in Meshery). Everything a run says goes
//! on the bus as [`RunUpdate`]s; a caller that wants to follow it subscribes *before* the task
//! starts ([`start`] does this), so it misses nothing.

use crate::AppState;
use crate::auth::{Provider, RequestContext, Session};
use crate::bus::Message;
use crate::domain::events::{self, NewEvent};
use crate::domain::profiles::Profile;
use crate::domain::results::{self, PerfResult, SMP_VERSION};
use crate::domain::user::User;
use crate::error::AppError;
use crate::generated::rest::ErrorCode;
use crate::loadgen::{self, HttpVersion, LoadSpec, Progress, RunResult};
use chrono::SubsecRound;
use futures::StreamExt;
use futures::stream::BoxStream;
use std::sync::Arc;
use std::time::Duration;

/// The load generators a run accepts; both run on the built-in engine, which paces requests
/// the way wrk2 and Fortio do. The name is recorded with the result.
pub const LOAD_GENERATORS: &[&str] = &["fortio", "wrk2"];

/// A test to run.
#[derive(Clone, Debug)]
pub struct RunRequest {
    pub name: String,
    /// The profile the result belongs to, if any.
    pub profile_id: Option<String>,
    pub spec: LoadSpec,
    pub load_generator: String,
    pub mesh: String,
    /// Stored as the result's `testId` (Meshery's `uuid` parameter); a new UUID when absent.
    pub test_id: Option<String>,
    /// Where the stored result is also handed (the user's remote provider, when the run was
    /// started by a request; a scheduled run has no credentials to do so).
    pub publish: Option<Publisher>,
}

/// A provider and the user's session with it, for `persist-results`.
#[derive(Clone)]
pub struct Publisher {
    pub provider: Arc<dyn Provider>,
    pub session: Session,
}

impl Publisher {
    pub fn of(ctx: &RequestContext) -> Self {
        Publisher {
            provider: ctx.provider.clone(),
            session: ctx.session.clone(),
        }
    }
}

impl std::fmt::Debug for Publisher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Publisher({})", self.provider.name())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunStatus {
    Info,
    Error,
    Success,
}

impl RunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Info => "info",
            RunStatus::Error => "error",
            RunStatus::Success => "success",
        }
    }
}

/// One message of a run: Meshery's `LoadTestResponse` plus where the run stands.
#[derive(Clone, Debug)]
pub struct RunUpdate {
    /// The id the result is stored under.
    pub run_id: String,
    pub user_id: String,
    pub profile_id: Option<String>,
    pub status: RunStatus,
    pub message: String,
    /// The last progress report (zeros before the first one).
    pub progress: Progress,
    pub duration: Duration,
    /// The stored result, with `Success`.
    pub result: Option<Arc<PerfResult>>,
}

impl RunUpdate {
    /// Whether this is the last update of its run.
    pub fn is_final(&self) -> bool {
        self.status != RunStatus::Info
    }
}

/// A started run and its updates (ending with the `Success` or `Error` one).
pub struct RunHandle {
    pub run_id: String,
    pub updates: BoxStream<'static, Arc<RunUpdate>>,
}

/// Every run update of the user's runs, as they are published.
pub fn user_updates(state: &AppState, user_id: String) -> BoxStream<'static, Arc<RunUpdate>> {
    state
        .bus
        .subscribe()
        .filter_map(move |m| {
            let mine = match m {
                Message::PerfProgress(u) if u.user_id == user_id => Some(u),
                _ => None,
            };
            async move { mine }
        })
        .boxed()
}

/// The server's limits on a run (`PERF_MAX_DURATION`, `PERF_MAX_CONNECTIONS`).
pub fn limits(state: &AppState) -> loadgen::Limits {
    loadgen::Limits {
        max_duration: Duration::from_secs(state.config.perf_max_duration_secs),
        max_connections: state.config.perf_max_connections,
    }
}

/// Checks the request and starts the run; a bad request is an error here, before anything
/// is sent.
pub fn start(state: Arc<AppState>, user: User, req: RunRequest) -> Result<RunHandle, AppError> {
    loadgen::validate(&req.spec, &limits(&state)).map_err(AppError::invalid)?;
    if !LOAD_GENERATORS.contains(&req.load_generator.as_str()) {
        return Err(AppError::invalid(format!(
            "loadGenerator must be one of {LOAD_GENERATORS:?}, got {:?}",
            req.load_generator
        )));
    }
    let name = req.name.trim();
    if name.is_empty() || name.chars().count() > 128 {
        return Err(AppError::invalid(
            "name must be 1 to 128 characters long, not only white space",
        ));
    }
    let permit = state.perf_runs.clone().try_acquire_owned().map_err(|_| {
        AppError::new(
            ErrorCode::TooManyLoadTests,
            format!(
                "{} load tests are running, the most this server runs at once",
                state.config.perf_max_concurrent_runs
            ),
        )
    })?;
    let run_id = uuid::Uuid::new_v4().to_string();
    let run_id_filter = run_id.clone();
    let updates = user_updates(&state, user.id.clone())
        .filter(move |u| std::future::ready(u.run_id == run_id_filter))
        // Ends right after the final update (not when the next message would arrive).
        .flat_map(|u| {
            let end = u.is_final().then_some(None);
            futures::stream::iter(std::iter::once(Some(u)).chain(end))
        })
        .take_while(|u| std::future::ready(u.is_some()))
        .filter_map(std::future::ready)
        .boxed();
    let run = Run {
        state,
        user,
        run_id: run_id.clone(),
        req,
    };
    tokio::spawn(async move {
        run.execute().await;
        drop(permit);
    });
    Ok(RunHandle { run_id, updates })
}

struct Run {
    state: Arc<AppState>,
    user: User,
    run_id: String,
    req: RunRequest,
}

impl Run {
    fn publish(
        &self,
        status: RunStatus,
        message: String,
        progress: Progress,
        result: Option<Arc<PerfResult>>,
    ) {
        publish(
            &self.state,
            RunUpdate {
                run_id: self.run_id.clone(),
                user_id: self.user.id.clone(),
                profile_id: self.req.profile_id.clone(),
                status,
                message,
                progress,
                duration: self.req.spec.duration,
                result,
            },
        );
    }

    async fn event(&self, severity: &str, action: &str, description: String) {
        let mut metadata = serde_json::Map::new();
        metadata.insert("runId".into(), self.run_id.clone().into());
        metadata.insert("url".into(), self.req.spec.url.clone().into());
        if let Some(p) = &self.req.profile_id {
            metadata.insert("profileId".into(), p.clone().into());
        }
        let new = NewEvent {
            severity: severity.into(),
            action: action.into(),
            category: "performance".into(),
            description,
            acted_upon: Some(
                self.req
                    .profile_id
                    .clone()
                    .unwrap_or_else(|| self.run_id.clone()),
            ),
            operation_id: Some(self.run_id.clone()),
            metadata,
        };
        if let Err(e) = events::record(&self.state, &self.user, new).await {
            tracing::warn!(run = %self.run_id, error = %e.message, "could not record a load-test event");
        }
    }

    async fn execute(self) {
        let zero = Progress {
            elapsed: Duration::ZERO,
            requests: 0,
            errors: 0,
            current_qps: 0.0,
        };
        let spec = self.req.spec.clone();
        self.publish(
            RunStatus::Info,
            format!(
                "Initiating load test: {} connection(s) at {} for {}",
                spec.connections,
                rate(spec.qps),
                loadgen::go_duration_string(spec.duration)
            ),
            zero,
            None,
        );
        self.event(
            "informational",
            "started",
            format!("Load test {:?} started against {}", self.req.name, spec.url),
        )
        .await;
        let reporter = {
            let state = self.state.clone();
            let template = RunUpdate {
                run_id: self.run_id.clone(),
                user_id: self.user.id.clone(),
                profile_id: self.req.profile_id.clone(),
                status: RunStatus::Info,
                message: String::new(),
                progress: zero,
                duration: spec.duration,
                result: None,
            };
            move |p: Progress| {
                let mut u = template.clone();
                u.message = format!(
                    "{} requests in {:.0}s, {:.1} req/s, {} errors",
                    p.requests,
                    p.elapsed.as_secs_f64(),
                    p.current_qps,
                    p.errors
                );
                u.progress = p;
                publish(&state, u);
            }
        };
        let outcome = loadgen::run(spec, reporter, self.state.shutdown_signal()).await;
        let run = match outcome {
            Ok(run) => run,
            Err(e) => {
                self.fail(format!("unable to perform the load test: {e}"), zero)
                    .await;
                return;
            }
        };
        let last = Progress {
            elapsed: Duration::from_nanos(run.actual_duration),
            requests: run.requests(),
            errors: run.errors(),
            current_qps: run.actual_qps,
        };
        self.publish(
            RunStatus::Info,
            "Load test completed, persisting the result".into(),
            last,
            None,
        );
        let result = match self.persist(&run).await {
            Ok(r) => Arc::new(r),
            Err(e) => {
                self.fail(format!("unable to persist the result: {}", e.message), last)
                    .await;
                return;
            }
        };
        self.state.bus.publish(Message::PerfChanged {
            user_id: self.user.id.clone(),
            profile_id: self.req.profile_id.clone(),
        });
        self.hand_to_provider(&result, last).await;
        let smp = run.smp();
        self.event(
            if run.cancelled { "warning" } else { "success" },
            "finished",
            format!(
                "Load test {:?}{}: {} requests at {:.1} req/s, p50 {:.2} ms, p99 {:.2} ms, {} errors",
                self.req.name,
                if run.cancelled {
                    " stopped early (server shutting down)"
                } else {
                    " finished"
                },
                smp.requests,
                smp.actual_qps,
                smp.latencies_ms.p50,
                smp.latencies_ms.p99,
                smp.errors
            ),
        )
        .await;
        self.publish(
            RunStatus::Success,
            "Done persisting the load test results.".into(),
            last,
            Some(result),
        );
    }

    /// Gives the stored result to the user's provider when it keeps results; a failure is
    /// reported (message and event) but does not fail the run: the result is stored here.
    async fn hand_to_provider(&self, result: &PerfResult, progress: Progress) {
        let Some(p) = &self.req.publish else { return };
        let name = p.provider.name().to_string();
        match p
            .provider
            .persist_result(&p.session, &result.to_document())
            .await
        {
            Ok(false) => {}
            Ok(true) => self.publish(
                RunStatus::Info,
                format!("Result handed to provider {name}"),
                progress,
                None,
            ),
            Err(e) => {
                let message = format!(
                    "could not hand the result to provider {name}: {}",
                    e.message
                );
                tracing::warn!(run = %self.run_id, %message);
                self.event("warning", "not-published", message.clone())
                    .await;
                self.publish(RunStatus::Info, message, progress, None);
            }
        }
    }

    async fn fail(&self, message: String, progress: Progress) {
        tracing::warn!(run = %self.run_id, %message, "load test failed");
        self.event(
            "error",
            "failed",
            format!("Load test {:?} failed: {message}", self.req.name),
        )
        .await;
        self.publish(RunStatus::Error, message, progress, None);
    }

    async fn persist(&self, run: &RunResult) -> Result<PerfResult, AppError> {
        let mut runner = serde_json::to_value(run).map_err(AppError::internal)?;
        if let Some(o) = runner.as_object_mut() {
            o.insert(
                "load-generator".into(),
                self.req.load_generator.clone().into(),
            );
        }
        let test_id = self
            .req
            .test_id
            .clone()
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        let mut smp = serde_json::to_value(run.smp()).map_err(AppError::internal)?;
        if let Some(o) = smp.as_object_mut() {
            o.insert("smp_version".into(), SMP_VERSION.into());
            o.insert("id".into(), self.run_id.clone().into());
            o.insert("test_id".into(), test_id.clone().into());
            let mut labels = serde_json::Map::new();
            labels.insert("name".into(), self.req.name.clone().into());
            labels.insert(
                "load_generator".into(),
                self.req.load_generator.clone().into(),
            );
            if !self.req.mesh.is_empty() {
                labels.insert("mesh".into(), self.req.mesh.clone().into());
            }
            o.insert("labels".into(), labels.into());
        }
        // Stored times have microseconds: the streamed result must equal the stored one.
        let now = chrono::Utc::now().trunc_subsecs(6);
        let result = PerfResult {
            id: self.run_id.clone(),
            user_id: self.user.id.clone(),
            profile_id: self.req.profile_id.clone(),
            name: self.req.name.trim().to_string(),
            mesh: self.req.mesh.clone(),
            test_id,
            test_start_time: run.start_time.trunc_subsecs(6),
            runner_results: runner,
            smp,
            created_at: now,
            updated_at: now,
        };
        results::insert(&self.state, &result).await?;
        Ok(result)
    }
}

fn publish(state: &AppState, u: RunUpdate) {
    state.bus.publish(Message::PerfProgress(Arc::new(u)));
}

fn rate(qps: f64) -> String {
    if qps > 0.0 {
        format!("{qps} req/s")
    } else {
        "the highest rate the target sustains".into()
    }
}

/// Run settings that override a profile's, as the run endpoint's query parameters give them.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    pub name: String,
    pub url: Option<String>,
    pub qps: Option<f64>,
    pub connections: Option<i64>,
    pub duration: Option<Duration>,
    pub load_generator: Option<String>,
    pub mesh: Option<String>,
    pub test_id: Option<String>,
    /// JSON object strings, as Meshery's `headers` and `cookies` parameters.
    pub headers: Option<String>,
    pub cookies: Option<String>,
    pub body: Option<String>,
    pub content_type: Option<String>,
}

/// The test a profile describes, with the given settings taking precedence.
pub fn request_for_profile(p: &Profile, o: Overrides) -> Result<RunRequest, AppError> {
    let s = &p.settings;
    let url = o
        .url
        .filter(|u| !u.is_empty())
        .or_else(|| s.endpoints.first().cloned())
        .ok_or_else(|| AppError::invalid("url is required: the profile has no endpoint"))?;
    let duration = match o.duration {
        Some(d) => d,
        None => loadgen::parse_duration(&s.duration)
            .map_err(|e| AppError::invalid(format!("the profile's duration: {e}")))?,
    };
    let headers = o.headers.unwrap_or_else(|| s.request_headers.clone());
    let cookies = o.cookies.unwrap_or_else(|| s.request_cookies.clone());
    let body = o.body.unwrap_or_else(|| s.request_body.clone());
    let content_type = o.content_type.unwrap_or_else(|| s.content_type.clone());
    let load_generator = o.load_generator.unwrap_or_else(|| {
        s.load_generators
            .iter()
            .find(|g| LOAD_GENERATORS.contains(&g.as_str()))
            .cloned()
            .unwrap_or_else(|| "fortio".into())
    });
    let mut spec = LoadSpec::new(url);
    spec.qps = o.qps.unwrap_or(f64::from(s.qps.max(0)));
    spec.connections = usize::try_from(o.connections.unwrap_or(i64::from(s.concurrent_request)))
        .map_err(|_| AppError::invalid("c (connections) must be at least 1"))?;
    spec.threads = spec.connections;
    spec.duration = duration;
    spec.headers = json_pairs("headers", &headers)?;
    spec.cookies = json_pairs("cookies", &cookies)?;
    if !body.is_empty() {
        spec.method = "POST".into();
        spec.body = Some(body.into_bytes());
    }
    spec.content_type = Some(content_type).filter(|c| !c.is_empty());
    spec.labels = p.name.clone();
    Ok(RunRequest {
        name: o.name,
        profile_id: Some(p.id.clone()),
        spec,
        load_generator,
        mesh: o.mesh.unwrap_or_else(|| s.service_mesh.clone()),
        test_id: o.test_id.filter(|t| !t.is_empty()),
        publish: None,
    })
}

/// An SMP test configuration's first client and endpoint, as Meshery runs it.
#[derive(Clone, Debug, Default)]
pub struct SmpTest {
    pub profile_id: Option<String>,
    pub name: String,
    pub duration: String,
    pub url: String,
    pub connections: Option<i64>,
    pub rps: Option<f64>,
    pub headers: Vec<(String, String)>,
    pub cookies: Vec<(String, String)>,
    pub body: Option<String>,
    pub content_type: Option<String>,
    pub load_generator: Option<String>,
    /// `http` (default) or `http2` (prior knowledge).
    pub protocol: Option<String>,
    pub mesh: String,
}

pub fn request_from_smp(t: SmpTest) -> Result<RunRequest, AppError> {
    let duration = loadgen::parse_duration(&t.duration)
        .map_err(|e| AppError::invalid(format!("test.duration: {e}")))?;
    let mut spec = LoadSpec::new(t.url);
    spec.qps = t.rps.unwrap_or(0.0);
    spec.connections = usize::try_from(t.connections.unwrap_or(1))
        .map_err(|_| AppError::invalid("connections must be at least 1"))?;
    spec.threads = spec.connections;
    spec.duration = duration;
    spec.headers = t.headers;
    spec.cookies = t.cookies;
    if let Some(body) = t.body.filter(|b| !b.is_empty()) {
        spec.method = "POST".into();
        spec.body = Some(body.into_bytes());
    }
    spec.content_type = t.content_type.filter(|c| !c.is_empty());
    spec.http_version = match t
        .protocol
        .as_deref()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None | Some("" | "http" | "https" | "http1" | "http/1.1") => HttpVersion::Http1,
        Some("http2" | "h2" | "h2c" | "http/2") => HttpVersion::Http2,
        Some(other) => {
            return Err(AppError::invalid(format!(
                "protocol must be http or http2, got {other:?}"
            )));
        }
    };
    spec.labels = t.name.clone();
    Ok(RunRequest {
        name: t.name,
        profile_id: t.profile_id,
        spec,
        load_generator: t.load_generator.unwrap_or_else(|| "fortio".into()),
        mesh: t.mesh,
        test_id: None,
        publish: None,
    })
}

/// Meshery's `headers`/`cookies`: a JSON object of strings (empty = none).
fn json_pairs(field: &str, s: &str) -> Result<Vec<(String, String)>, AppError> {
    if s.trim().is_empty() {
        return Ok(Vec::new());
    }
    let bad = || AppError::invalid(format!("{field} must be a JSON object of strings"));
    let v: serde_json::Value = serde_json::from_str(s).map_err(|_| bad())?;
    let obj = v.as_object().ok_or_else(bad)?;
    obj.iter()
        .map(|(k, v)| match v {
            serde_json::Value::String(s) => Ok((k.clone(), s.clone())),
            _ => Err(bad()),
        })
        .collect()
}

/// The service-mesh types of the SMP specification (`ServiceMesh.Type`), which Meshery's test
/// form offers as the `mesh` label. `NONE` is a test without a mesh.
pub const MESHES: &[&str] = &[
    "NONE",
    "APP_MESH",
    "CILIUM_SERVICE_MESH",
    "CITRIX_SERVICE_MESH",
    "CONSUL",
    "ISTIO",
    "KUMA",
    "LINKERD",
    "NETWORK_SERVICE_MESH",
    "NGINX_SERVICE_MESH",
    "OCTARINE",
    "OPEN_SERVICE_MESH",
    "TANZU",
    "TRAEFIK_MESH",
];
