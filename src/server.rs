//! Wires the application: state, routes, middleware, graceful shutdown.
//!
//! Middleware order (outermost first): request id and tracing span → metrics → browser
//! redirect for 401 → body size limit → error mapping → routes. Authentication is not a
//! middleware: it happens once, in the `Authenticated` extractor of the operations that
//! declare security (and once per GraphQL request or WebSocket connection).

use crate::api::Handlers;
use crate::auth::{LocalProvider, Provider, Providers, RemoteConfig, RemoteProvider};
use crate::bus::InProcessBus;
use crate::config::Config;
use crate::error::any_error_to_response;
use crate::generated;
use crate::store::Store;
use crate::{AppState, metrics::Metrics};
use poem::endpoint::{BoxEndpoint, make_sync};
use poem::http::{StatusCode, header};
use poem::listener::{Acceptor, Listener, TcpListener};
use poem::web::Html;
use poem::{Endpoint, EndpointExt, IntoResponse, Request, Response, Route, get};
use poem_openapi::OpenApiService;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Builds the shared state: opens the database, registers providers.
pub async fn state(config: Config) -> Result<Arc<AppState>, String> {
    if jsonwebtoken::crypto::CryptoProvider::try_get_default().is_none() {
        return Err(
            "jsonwebtoken has no crypto backend: build with exactly one of its crypto features"
                .into(),
        );
    }
    let store = Store::open(config.database_url.as_deref(), &config.data_folder()).await?;
    let updates = tokio::sync::broadcast::channel(64).0;
    let mut providers: Vec<Arc<dyn Provider>> =
        vec![Arc::new(LocalProvider::new(config.build.clone()))];
    for url in config
        .provider_base_urls
        .iter()
        .filter(|u| !u.trim().is_empty())
    {
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(format!("PROVIDER_BASE_URLS: `{url}` is not an http(s) URL"));
        }
        let remote = RemoteConfig {
            base_url: url.clone(),
            leeway: config.jwt_leeway_secs,
            server_version: config.build.clone(),
            capabilities_file: config.provider_capabilities_filepath.clone(),
            timeout: Duration::from_secs(config.provider_timeout_secs),
        };
        providers.push(Arc::new(RemoteProvider::new(remote, updates.clone())));
    }
    let providers = Providers::new(providers, updates);
    // Probe remote providers in the background: start-up never waits on them.
    providers.probe_all();
    if providers.get(&config.provider).is_none() {
        return Err(format!(
            "PROVIDER `{}` is neither Local/None nor one of PROVIDER_BASE_URLS",
            config.provider
        ));
    }
    let config_runs = config.perf_max_concurrent_runs;
    Ok(Arc::new(AppState {
        config,
        store,
        bus: Arc::new(InProcessBus::new()),
        providers,
        system_id: uuid::Uuid::new_v4().to_string(),
        metrics: Metrics::default(),
        shutdown: tokio::sync::watch::channel(false).0,
        perf_runs: Arc::new(tokio::sync::Semaphore::new(config_runs)),
        schedules_changed: tokio::sync::Notify::new(),
    }))
}

/// The OpenAPI service built from the generated routes.
pub fn openapi_service(state: &Arc<AppState>) -> OpenApiService<impl poem_openapi::OpenApi, ()> {
    let handlers = Arc::new(Handlers(state.clone()));
    OpenApiService::new(
        generated::rest::routes(handlers),
        "Meshery Server",
        env!("CARGO_PKG_VERSION"),
    )
}

/// The whole application as one endpoint.
pub fn app(state: Arc<AppState>) -> BoxEndpoint<'static> {
    let api = openapi_service(&state);
    let explorer = api.swagger_ui();
    let schema = crate::graphql::schema(&state);
    let metrics_state = state.clone();
    Route::new()
        .at("/api/openapi.json", get(served_openapi_json))
        .at("/api/openapi.yaml", get(served_openapi_yaml))
        .at("/docs", get(served_rest_docs))
        .at(
            "/docs/rest.md",
            make_sync(|_| markdown(generated::docs::REST_MD)),
        )
        .at(
            "/docs/graphql",
            make_sync(|_| Html(generated::docs::GRAPHQL_HTML)),
        )
        .at(
            "/docs/graphql.md",
            make_sync(|_| markdown(generated::docs::GRAPHQL_MD)),
        )
        .nest("/docs/explorer", explorer)
        .at("/api/extensions/*rest", crate::auth::extensions::proxy)
        .at(
            "/metrics",
            make_sync(move |_| metrics_state.metrics.render()),
        )
        .nest("/api/graphql", crate::graphql::routes(schema.clone()))
        .nest("/api/system/graphql", crate::graphql::routes(schema))
        .nest("/", api)
        .catch_all_error(|e| async move { any_error_to_response(e) })
        .around(limit_body)
        .around(|ep, req| async move { Ok(browser_login_redirect(ep.as_ref(), req).await) })
        .data(state.clone())
        .around(move |ep, req| observe(ep, req, state.clone()))
        .boxed()
}

/// Rejects header sets over `--max-header-bytes` with 431 and bodies over `--max-body-bytes`
/// with 413, whether or not they declare a length.
/// A declared length is checked before reading; a chunked body is read up to the limit.
async fn limit_body<E: Endpoint>(ep: Arc<E>, mut req: Request) -> poem::Result<Response> {
    let (max, max_headers) = req
        .data::<Arc<AppState>>()
        .map(|s| (s.config.max_body_bytes, s.config.max_header_bytes))
        .unwrap_or((usize::MAX, usize::MAX));
    let header_bytes: usize = req
        .headers()
        .iter()
        .map(|(k, v)| k.as_str().len() + v.len())
        .sum();
    if header_bytes > max_headers {
        let e = crate::error::AppError::new(
            crate::generated::rest::ErrorCode::HeadersTooLarge,
            format!("the request headers exceed {max_headers} bytes"),
        );
        return Ok(e.to_response());
    }
    let too_large = || {
        crate::error::AppError::new(
            crate::generated::rest::ErrorCode::PayloadTooLarge,
            format!("the request body exceeds {max} bytes"),
        )
        .to_response()
    };
    let declared = req
        .header(header::CONTENT_LENGTH)
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return Ok(too_large());
    }
    let chunked = req
        .header(header::TRANSFER_ENCODING)
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    let is_ws = req.header(header::UPGRADE).is_some();
    let is_json = req
        .header(header::CONTENT_TYPE)
        .is_some_and(|v| v.starts_with("application/json"));
    if (declared.is_none() && chunked && !is_ws) || (is_json && declared.is_some_and(|n| n > 0)) {
        let mut bytes = match req.take_body().into_bytes_limit(max).await {
            Ok(bytes) => bytes,
            Err(_) => return Ok(too_large()),
        };
        if is_json
            && let Some(renamed) =
                crate::contract::accept_snake_case(req.method().as_str(), req.uri().path(), &bytes)
        {
            bytes = renamed.into();
        }
        if is_json
            && let Err(msg) =
                crate::contract::check_body_types(req.method().as_str(), req.uri().path(), &bytes)
        {
            return Ok(crate::error::AppError::invalid(msg).to_response());
        }
        req.set_body(bytes);
    }
    let path = req.uri().path().to_string();
    // A session refreshed while serving this request goes back to the browser as a new cookie.
    let slot = crate::auth::RefreshSlot::default();
    let secure = is_secure(&req);
    req.extensions_mut().insert(slot.clone());
    let mut resp = ep
        .call(req)
        .await
        .map(IntoResponse::into_response)
        .unwrap_or_else(any_error_to_response);
    if resp.status() == StatusCode::METHOD_NOT_ALLOWED
        && !resp.headers().contains_key(header::ALLOW)
        && let Some(allow) = crate::contract::allowed_methods(&path).and_then(|a| a.parse().ok())
    {
        resp.headers_mut().insert(header::ALLOW, allow);
    }
    if let Some(cookie) = slot.take()
        && let Ok(v) = format!(
            "{}={cookie}; Path=/; HttpOnly; SameSite=Lax{}",
            crate::auth::TOKEN_COOKIE,
            if secure { "; Secure" } else { "" }
        )
        .parse()
    {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(resp)
}

/// The extension document of the provider this request selects, with that provider's base URL.
fn extension_doc(req: &Request) -> Option<(serde_json::Value, String)> {
    let state = req.data::<Arc<AppState>>()?;
    let name = crate::auth::requested_provider_name(req, &state.config.provider);
    let provider = state.providers.get(&name)?;
    Some((
        provider.extension_openapi()?,
        provider.base_url()?.to_string(),
    ))
}

/// The contract, plus the selected provider's extension operations when it publishes them.
fn served_contract(req: &Request) -> Option<serde_json::Value> {
    let (ext, base) = extension_doc(req)?;
    let committed: serde_json::Value = serde_json::from_str(generated::OPENAPI_JSON).ok()?;
    Some(crate::contract::with_extensions(&committed, &ext, &base))
}

#[poem::handler]
fn served_openapi_json(req: &Request) -> Response {
    match served_contract(req) {
        Some(doc) => Response::builder()
            .content_type("application/json; charset=utf-8")
            .body(doc.to_string()),
        None => json_text(generated::OPENAPI_JSON),
    }
}

#[poem::handler]
fn served_openapi_yaml(req: &Request) -> Response {
    let doc = served_contract(req)
        .unwrap_or_else(|| serde_json::from_str(generated::OPENAPI_JSON).unwrap_or_default());
    yaml_text(&serde_yaml::to_string(&doc).unwrap_or_default())
}

/// The generated reference, with a section for the selected provider's extension operations.
#[poem::handler]
fn served_rest_docs(req: &Request) -> Html<String> {
    let page = generated::docs::REST_HTML;
    let Some(doc) = served_contract(req) else {
        return Html(page.to_string());
    };
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let mut rows = String::new();
    let paths = doc
        .get("paths")
        .and_then(|p| p.as_object())
        .into_iter()
        .flatten();
    for (path, item) in paths.filter(|(p, _)| p.starts_with("/api/extensions/")) {
        for (method, op) in item.as_object().into_iter().flatten() {
            let summary = op.get("summary").and_then(|s| s.as_str()).unwrap_or("");
            rows.push_str(&format!(
                "<tr><td><code>{}</code></td><td><code>{}</code></td><td>{}</td></tr>",
                esc(&method.to_uppercase()),
                esc(path),
                esc(summary)
            ));
        }
    }
    let section = format!(
        "<section id=\"provider-extensions\"><h2>Provider extensions</h2><p>Operations the selected provider publishes; they are forwarded by <code>/api/extensions/*</code> and listed in <code>/api/openapi.json</code>.</p><table><tr><th>Method</th><th>Path</th><th>Summary</th></tr>{rows}</table></section>"
    );
    Html(match page.rfind("</body>") {
        Some(i) => format!("{}{section}{}", &page[..i], &page[i..]),
        None => format!("{page}{section}"),
    })
}

fn json_text(s: &'static str) -> Response {
    Response::builder()
        .content_type("application/json; charset=utf-8")
        .body(s)
}

fn yaml_text(s: &str) -> Response {
    Response::builder()
        .content_type("application/yaml; charset=utf-8")
        .body(s.to_string())
}

fn markdown(s: &'static str) -> Response {
    Response::builder()
        .content_type("text/markdown; charset=utf-8")
        .body(s)
}

/// A browser (asking for HTML) without a session under a remote provider goes to the
/// provider's login; API clients keep the 401 JSON. No loop is possible: the target is the
/// provider, and we never redirect a request that asked for JSON.
async fn browser_login_redirect<E: Endpoint>(ep: &E, req: Request) -> Response {
    let wants_html = req
        .header("accept")
        .is_some_and(|a| a.contains("text/html"));
    let state = req.data::<Arc<AppState>>().cloned();
    let provider_name = state
        .as_ref()
        .map(|s| crate::auth::requested_provider_name(&req, &s.config.provider));
    let path = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let host = req.header("host").unwrap_or("localhost:9081").to_string();
    let secure = is_secure(&req);
    // The session endpoints answer for themselves: sending a failed callback back to the
    // provider's login would loop (the provider approves, the callback fails again, …).
    let session_path = matches!(
        req.uri().path(),
        "/api/user/token" | "/user/login" | "/user/logout"
    );
    let resp = ep
        .call(req)
        .await
        .map(IntoResponse::into_response)
        .unwrap_or_else(any_error_to_response);
    if resp.status() != StatusCode::UNAUTHORIZED || !wants_html || session_path {
        return resp;
    }
    let (Some(state), Some(name)) = (state, provider_name) else {
        return resp;
    };
    let Some(provider) = state.providers.get(&name) else {
        return resp;
    };
    let callback = state.config.callback_url.clone().unwrap_or_else(|| {
        format!(
            "{}://{host}/api/user/token",
            if secure { "https" } else { "http" }
        )
    });
    match provider.login_url(&callback, &path) {
        Some(url) => Response::builder()
            .status(StatusCode::FOUND)
            .header(header::LOCATION, url)
            .finish(),
        None => resp,
    }
}

/// The browser reached us over TLS, directly or through a proxy that says so.
fn is_secure(req: &Request) -> bool {
    req.uri().scheme_str() == Some("https")
        || req
            .header("x-forwarded-proto")
            .is_some_and(|p| p.eq_ignore_ascii_case("https"))
}

/// Request id, tracing span, access log and metrics for every request.
async fn observe<E: Endpoint>(
    ep: Arc<E>,
    req: Request,
    state: Arc<AppState>,
) -> poem::Result<Response> {
    let id = req
        .header("x-request-id")
        .filter(|v| v.len() <= 128 && v.bytes().all(|b| b.is_ascii_graphic()))
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let start = Instant::now();
    let span = tracing::info_span!("request", request_id = %id, %method, %path);
    let _enter = span.enter();
    drop(_enter);
    let mut resp = ep
        .call(req)
        .await
        .map(IntoResponse::into_response)
        .unwrap_or_else(any_error_to_response);
    let elapsed = start.elapsed();
    let operation = resp
        .extensions()
        .get::<poem_openapi::OperationId>()
        .map(|o| o.0.to_string())
        .unwrap_or_else(|| route_label(&path));
    let status = resp.status().as_u16();
    state.metrics.observe(&operation, status, elapsed);
    tracing::info!(parent: &span, status, operation, elapsed_ms = elapsed.as_secs_f64() * 1000.0, "served");
    if let Ok(v) = id.parse() {
        resp.headers_mut().insert("x-request-id", v);
    }
    Ok(resp)
}

/// A bounded label for requests outside the REST contract (metrics must not grow per path).
fn route_label(path: &str) -> String {
    let label = if path.ends_with("/graphql/query") {
        "graphql"
    } else if path.ends_with("/graphql/playground") || path.contains("/graphql/playground/") {
        "graphql-playground"
    } else if path.starts_with("/docs") {
        "docs"
    } else if path.starts_with("/api/openapi") {
        "openapi"
    } else if path == "/metrics" {
        "metrics"
    } else {
        "other"
    };
    label.to_string()
}

/// A running server (used by `main` and by the tests).
pub struct Running {
    pub addr: SocketAddr,
    pub state: Arc<AppState>,
    handle: tokio::task::JoinHandle<std::io::Result<()>>,
    scheduler: tokio::task::JoinHandle<()>,
}

impl Running {
    /// Starts shutdown and waits for in-flight requests (bounded by the configured timeout).
    pub async fn shutdown(self) -> std::io::Result<()> {
        let _ = self.state.shutdown.send(true);
        self.wait().await
    }

    /// Resolves when the server stops by itself (a signal in `main`). The scheduler has
    /// stopped too before the store closes, so no tick is claimed on a closing pool, and
    /// cancelled load tests have stored their partial results.
    pub async fn wait(self) -> std::io::Result<()> {
        let r = self.handle.await.unwrap_or(Ok(()));
        // The server may also have stopped on an error: the scheduler must stop all the same.
        let _ = self.state.shutdown.send(true);
        let _ = self.scheduler.await;
        // Running load tests were cancelled by the same signal; let them store what they
        // measured (each holds a permit until it is done) before the store closes.
        let all = u32::try_from(self.state.config.perf_max_concurrent_runs).unwrap_or(u32::MAX);
        let runs_done = self.state.perf_runs.acquire_many(all);
        if tokio::time::timeout(std::time::Duration::from_secs(10), runs_done)
            .await
            .is_err()
        {
            tracing::warn!("load tests still storing their results after 10 s; closing anyway");
        }
        self.state.store.close().await;
        r
    }
}

/// Binds and starts serving, and starts the scheduler; returns once the socket is listening.
pub async fn start(config: Config) -> Result<Running, String> {
    let bind = format!("{}:{}", config.host, config.port);
    let state = state(config).await?;
    let acceptor = TcpListener::bind(bind.clone())
        .into_acceptor()
        .await
        .map_err(|e| format!("cannot listen on {bind}: {e}"))?;
    let addr = acceptor
        .local_addr()
        .first()
        .and_then(|a| a.as_socket_addr().cloned())
        .ok_or_else(|| "listener has no address".to_string())?;
    let app = app(state.clone());
    let timeout = Duration::from_secs(state.config.shutdown_timeout_secs);
    let stop = state.shutdown_signal();
    let handle = tokio::spawn(async move {
        poem::Server::new_with_acceptor(acceptor)
            .idle_timeout(Duration::from_secs(120))
            .run_with_graceful_shutdown(app, stop, Some(timeout))
            .await
    });
    let scheduler = crate::scheduler::spawn(state.clone());
    Ok(Running {
        addr,
        state,
        handle,
        scheduler,
    })
}

impl AppState {
    /// Completes when shutdown starts; SSE and WebSocket streams end on it.
    pub fn shutdown_signal(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        let mut rx = self.shutdown.subscribe();
        async move {
            let _ = rx.wait_for(|stopping| *stopping).await;
        }
    }
}
