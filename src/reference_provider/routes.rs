//! The provider's HTTP surface: capabilities, the login/token endpoints, the user-data
//! endpoints Meshery's capabilities point at, and the wiring (request log, outage switch).
//!
//! Plain poem routes rather than a contract: this is not meshery-server's API but a
//! stand-in for somebody else's server, and it should answer the way such servers do
//! (redirects, free-form JSON) rather than the way meshery-server's contract would.

use super::extensions;
use super::state::{RecordedRequest, Shared, lock};
use super::tokens::Claims;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use poem::http::{StatusCode, header};
use poem::web::{Data, Query};
use poem::{
    Body, Endpoint, EndpointExt, IntoResponse, Request, Response, Route, get, handler, post,
};
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::Ordering;

pub(crate) fn app(shared: Arc<Shared>) -> impl Endpoint {
    let outer = shared.clone();
    Route::new()
        .at("/:version/capabilities", get(capabilities))
        .at("/login", get(login))
        .at("/logout", get(logout).post(logout))
        .at("/keys", get(keys))
        .at("/introspect", post(introspect))
        .at("/refresh", post(refresh))
        .at("/revoke", post(revoke))
        .at("/user", get(user))
        .at("/user/preferences", get(get_prefs).put(put_prefs))
        .at("/events", get(list_events).post(add_event))
        .at("/results", get(list_results).post(add_result))
        .at("/extensions/openapi.json", get(extensions::openapi))
        .at("/extensions/hello", get(extensions::hello))
        // Any method: echoing the method is the point, for proxy tests.
        .at("/extensions/echo", extensions::echo)
        .at("/extensions/status/:code", get(extensions::status))
        .data(shared)
        .around(move |ep, req| {
            let shared = outer.clone();
            async move {
                let uri = req.original_uri();
                let entry = RecordedRequest {
                    method: req.method().to_string(),
                    path: uri
                        .path_and_query()
                        .map_or_else(|| uri.path().to_string(), |p| p.to_string()),
                    authorization: req.header(header::AUTHORIZATION).map(str::to_string),
                };
                lock(&shared.log).push(entry);
                if shared.down.load(Ordering::SeqCst) {
                    return Ok(error(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "the reference provider is down (simulated outage)",
                    ));
                }
                Ok(ep.call(req).await?.into_response())
            }
        })
}

pub(crate) fn json(status: StatusCode, value: Value) -> Response {
    Response::builder()
        .status(status)
        .content_type("application/json")
        .body(value.to_string())
}

pub(crate) fn error(status: StatusCode, message: &str) -> Response {
    json(status, json!({ "error": message }))
}

/// A refusal on the way to a response; kept small so `Result`s stay cheap to move.
pub(crate) struct Reject(StatusCode, String);

pub(crate) fn reject(status: StatusCode, message: &str) -> Reject {
    Reject(status, message.to_string())
}

impl From<Reject> for Response {
    fn from(r: Reject) -> Self {
        error(r.0, &r.1)
    }
}

/// The caller's token: `Authorization: Bearer …` (any case of the scheme, as Meshery sends
/// `bearer`), else `X-API-Key`, which Meshery sends alongside with the same value.
fn presented_token(req: &Request) -> Option<String> {
    let from_auth = req.header(header::AUTHORIZATION).and_then(|h| {
        let (scheme, token) = h.trim().split_once(' ')?;
        scheme
            .eq_ignore_ascii_case("bearer")
            .then(|| token.trim().to_string())
    });
    from_auth
        .or_else(|| req.header("x-api-key").map(|t| t.trim().to_string()))
        .filter(|t| !t.is_empty())
}

/// Verifies the caller's token; a 401 JSON response if it is missing or not valid.
pub(crate) fn authenticate(shared: &Shared, req: &Request) -> Result<Claims, Reject> {
    let token = presented_token(req)
        .ok_or_else(|| reject(StatusCode::UNAUTHORIZED, "a bearer token is required"))?;
    shared
        .verify(&token)
        .map_err(|e| reject(StatusCode::UNAUTHORIZED, e))
}

/// Reads a JSON body; 400 if it is not JSON, so a client bug shows up as such.
pub(crate) async fn read_json(body: Body) -> Result<Value, Reject> {
    let bytes = body
        .into_vec()
        .await
        .map_err(|e| reject(StatusCode::BAD_REQUEST, &format!("cannot read body: {e}")))?;
    serde_json::from_slice(&bytes)
        .map_err(|e| reject(StatusCode::BAD_REQUEST, &format!("body is not JSON: {e}")))
}

/// `{"token": "…"}`, the body of `/introspect`, `/refresh` and `/revoke`.
async fn token_field(body: Body) -> Result<String, Reject> {
    let v = read_json(body).await?;
    v.get("token")
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| reject(StatusCode::BAD_REQUEST, "body must be {\"token\": string}"))
}

fn respond(r: Result<Response, Reject>) -> Response {
    r.unwrap_or_else(Response::from)
}

/// Meshery's provider properties. The extra `authenticated-capabilities` entry for a valid
/// token lets a test tell whether meshery-server re-fetched capabilities with the user's token.
#[handler]
fn capabilities(req: &Request, Data(shared): Data<&Arc<Shared>>) -> Response {
    let mut caps = vec![
        json!({"feature": "sync-prefs", "endpoint": "/user/preferences"}),
        json!({"feature": "persist-events", "endpoint": "/events"}),
        json!({"feature": "get-events", "endpoint": "/events"}),
        json!({"feature": "persist-results", "endpoint": "/results"}),
        json!({"feature": "users-profile", "endpoint": "/user"}),
        json!({"feature": "openapi", "endpoint": "/extensions/openapi.json"}),
    ];
    if presented_token(req).is_some_and(|t| shared.verify(&t).is_ok()) {
        caps.push(json!({"feature": "authenticated-capabilities", "endpoint": ""}));
    }
    json(
        StatusCode::OK,
        json!({
            "providerType": "remote",
            "packageVersion": shared.package_version,
            "packageUrl": "",
            "providerName": shared.name,
            "providerDescription": [
                "Reference remote provider for development and tests",
                "Auto-approves a single test user",
                "In-memory: nothing survives a restart",
            ],
            "providerUrl": shared.base_url,
            "extensions": {
                "navigator": [],
                "userPrefs": [],
                "graphql": [],
                "account": [],
                "collaborator": [],
            },
            "capabilities": caps,
            "restrictedAccess": { "isMesheryUiRestricted": false },
        }),
    )
}

#[derive(Deserialize)]
struct LoginParams {
    source: Option<String>,
    #[serde(rename = "ref")]
    reference: Option<String>,
}

/// Meshery's browser login: no login page, the configured user is approved at once and sent
/// back to the callback with the token, as a real provider would after the user signs in.
#[handler]
fn login(Query(p): Query<LoginParams>, Data(shared): Data<&Arc<Shared>>) -> Response {
    let Some(callback) = p.source.as_deref().and_then(decode_source) else {
        return error(
            StatusCode::BAD_REQUEST,
            "`source` must be the base64url-encoded callback URL",
        );
    };
    let issued = shared.issue();
    let sep = if callback.contains('?') { '&' } else { '?' };
    let mut location = format!(
        "{callback}{sep}token={}",
        percent_encode(&issued.cookie_value)
    );
    if let Some(r) = &p.reference {
        location.push_str("&ref=");
        location.push_str(&percent_encode(r));
    }
    Response::builder()
        .status(StatusCode::FOUND)
        .header(header::LOCATION, location)
        .finish()
}

/// Meshery sends raw (unpadded) base64url; padded and standard base64 are accepted too.
fn decode_source(s: &str) -> Option<String> {
    let bytes = URL_SAFE_NO_PAD
        .decode(s.trim().trim_end_matches('='))
        .or_else(|_| STANDARD.decode(s.trim()))
        .ok()?;
    String::from_utf8(bytes)
        .ok()
        .filter(|u| !u.trim().is_empty())
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Only recorded (see `Control::requests`): a test asserts that logout reached the provider.
#[handler]
fn logout() -> Response {
    json(StatusCode::OK, json!({}))
}

#[handler]
fn keys(Data(shared): Data<&Arc<Shared>>) -> Response {
    let set = lock(&shared.keys).jwks();
    json(
        StatusCode::OK,
        serde_json::to_value(set).expect("a JWKS serializes"),
    )
}

/// RFC 7662 style: always 200, `active: false` for a revoked, expired or foreign token.
#[handler]
async fn introspect(body: Body, Data(shared): Data<&Arc<Shared>>) -> Response {
    respond(
        async {
            let token = token_field(body).await?;
            Ok(match shared.verify(&token) {
                Ok(c) => json(
                    StatusCode::OK,
                    json!({"active": true, "sub": c.sub, "exp": c.exp}),
                ),
                Err(_) => json(StatusCode::OK, json!({"active": false})),
            })
        }
        .await,
    )
}

#[handler]
async fn refresh(body: Body, Data(shared): Data<&Arc<Shared>>) -> Response {
    respond(
        async {
            let token = token_field(body).await?;
            let issued = shared.refresh(&token).ok_or_else(|| {
                reject(
                    StatusCode::UNAUTHORIZED,
                    "unknown, used or revoked refresh token",
                )
            })?;
            Ok(json(StatusCode::OK, json!({"token": issued.cookie_value})))
        }
        .await,
    )
}

/// Accepts a refresh token (what Meshery sends on logout), a cookie value carrying one, or
/// an access token; unknown tokens are not an error (RFC 7009).
#[handler]
async fn revoke(body: Body, Data(shared): Data<&Arc<Shared>>) -> Response {
    respond(
        async {
            let token = token_field(body).await?;
            let rt = super::tokens::refresh_token_from(&token);
            let revoked_grant = lock(&shared.store).revoke_grant(&rt);
            if !revoked_grant && let Ok(c) = shared.verify(&token) {
                lock(&shared.store).revoke_access(&c.jti);
            }
            Ok(json(StatusCode::OK, json!({})))
        }
        .await,
    )
}

#[handler]
fn user(req: &Request, Data(shared): Data<&Arc<Shared>>) -> Response {
    respond(authenticate(shared, req).map(|c| {
        json(
            StatusCode::OK,
            json!({
                "id": c.sub,
                "user_id": c.email,
                "first_name": c.given_name,
                "last_name": c.family_name,
                "email": c.email,
                "avatar_url": c.picture,
            }),
        )
    }))
}

#[handler]
fn get_prefs(req: &Request, Data(shared): Data<&Arc<Shared>>) -> Response {
    respond(
        authenticate(shared, req).map(|c| json(StatusCode::OK, lock(&shared.store).prefs(&c.sub))),
    )
}

/// Answers 201, as Meshery expects of a provider that stored the preferences.
#[handler]
async fn put_prefs(req: &Request, body: Body, Data(shared): Data<&Arc<Shared>>) -> Response {
    respond(
        async {
            let c = authenticate(shared, req)?;
            let prefs = read_json(body).await?;
            if !prefs.is_object() {
                return Err(reject(
                    StatusCode::BAD_REQUEST,
                    "preferences must be a JSON object",
                ));
            }
            lock(&shared.store).set_prefs(&c.sub, prefs.clone());
            Ok(json(StatusCode::CREATED, prefs))
        }
        .await,
    )
}

/// `GET /events` and `GET /results`: the user's items of that kind, as one page.
fn list_items(kind: &'static str, req: &Request, shared: &Arc<Shared>) -> Response {
    respond(authenticate(shared, req).map(|c| {
        let items = lock(&shared.store).items(kind, &c.sub);
        let n = items.len();
        json(
            StatusCode::OK,
            json!({kind: items, "page": 0, "pageSize": n, "totalCount": n}),
        )
    }))
}

/// `POST /events` and `POST /results`: keeps a JSON object for the user, with an `id`
/// (`id_key`) assigned when it has none.
async fn add_item(
    kind: &'static str,
    id_key: &str,
    req: &Request,
    body: Body,
    shared: &Arc<Shared>,
) -> Response {
    respond(
        async {
            let c = authenticate(shared, req)?;
            let mut item = read_json(body).await?;
            let Some(obj) = item.as_object_mut() else {
                return Err(reject(
                    StatusCode::BAD_REQUEST,
                    "the body must be a JSON object",
                ));
            };
            if obj.get(id_key).is_none_or(Value::is_null) {
                obj.insert(id_key.into(), json!(uuid::Uuid::new_v4().to_string()));
            }
            lock(&shared.store).add_item(kind, &c.sub, item.clone());
            Ok(json(StatusCode::CREATED, item))
        }
        .await,
    )
}

#[handler]
fn list_events(req: &Request, Data(shared): Data<&Arc<Shared>>) -> Response {
    list_items("events", req, shared)
}

#[handler]
async fn add_event(req: &Request, body: Body, Data(shared): Data<&Arc<Shared>>) -> Response {
    add_item("events", "id", req, body, shared).await
}

#[handler]
fn list_results(req: &Request, Data(shared): Data<&Arc<Shared>>) -> Response {
    list_items("results", req, shared)
}

#[handler]
async fn add_result(req: &Request, body: Body, Data(shared): Data<&Arc<Shared>>) -> Response {
    add_item("results", "mesheryId", req, body, shared).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_encoding_keeps_unreserved_only() {
        assert_eq!(percent_encode("a+b/c=~"), "a%2Bb%2Fc%3D~");
    }

    #[test]
    fn source_accepts_raw_and_padded() {
        let url = "http://localhost:9081/api/user/token";
        assert_eq!(
            decode_source(&URL_SAFE_NO_PAD.encode(url)).as_deref(),
            Some(url)
        );
        assert_eq!(decode_source(&STANDARD.encode(url)).as_deref(), Some(url));
        assert_eq!(decode_source("!!!"), None);
    }
}
