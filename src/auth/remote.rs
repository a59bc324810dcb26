//! A remote provider (configured with `PROVIDER_BASE_URLS`), speaking Meshery's protocol.
//!
//! - **Discovery.** Capabilities come from `{base}/{version}/capabilities`, probed in the
//!   background (start-up never waits on a provider), or from `PROVIDER_CAPABILITIES_FILEPATH`.
//! - **Tokens.** RS256 access tokens verified against `{base}/keys`. Stricter than Meshery on
//!   purpose: the algorithm is pinned (no `none`, no HS256 with the public key), `kid` and
//!   `exp` are required (Meshery accepts tokens without `exp` forever), `nbf` is honoured, clock
//!   skew is bounded by `--jwt-leeway-secs`. The JWKS is cached and fetched again when a token
//!   names a `kid` the cache lacks. Those fetches draw on a small bucket (`REFETCH_BURST`,
//!   refilled one per `REFETCH_INTERVAL`): a key rotation is picked up at once, while forged
//!   `kid`s cannot flood the provider.
//! - **Revocation.** `{base}/introspect` is asked whether a verified token is still active; the
//!   answer is cached for `INTROSPECT_TTL`. A provider without the endpoint (404) is taken to
//!   have no revocation.
//! - **Cache.** A verified token is remembered with its user and expiry, so a request with a
//!   known good token does no RSA work.
//! - **Capabilities drive persistence**, as in Meshery: the user profile comes from
//!   `users-profile`, preferences live at `sync-prefs`, new events go to `persist-events`
//!   (load-test results to `persist-results`). A
//!   capability the provider lacks is a clear error naming it (`meshery-server-1011`).
//! - **Logout** calls `{base}/logout` and `{base}/revoke` (for the refresh token), bounded by the
//!   HTTP timeout, and succeeds locally whatever the provider says.

use super::provider::{Capability, ProbeState, ProbeStatus, Provider, ProviderInfo};
use crate::domain::user::User;
use crate::error::AppError;
use base64::Engine;
use futures::future::BoxFuture;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, jwk::JwkSet};
use serde::Deserialize;
use serde_json::Value;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::RwLock;
use std::time::{Duration, Instant};
use tokio::sync::{Mutex, broadcast};

const REFETCH_INTERVAL: Duration = Duration::from_secs(5);
const REFETCH_BURST: f64 = 3.0;
const INTROSPECT_TTL: Duration = Duration::from_secs(30);
const CACHE_LIMIT: usize = 10_000;

/// How a remote provider is set up.
pub struct RemoteConfig {
    pub base_url: String,
    pub leeway: u64,
    /// Meshery's build, sent as the `{version}` of the capabilities URL.
    pub server_version: String,
    /// Read capabilities from this file instead of probing.
    pub capabilities_file: Option<PathBuf>,
    /// Bound on every call to the provider (keys, introspection, capabilities, persistence).
    pub timeout: Duration,
}

/// The cached key set and the bucket that bounds refetches.
struct Jwks {
    set: Option<JwkSet>,
    budget: f64,
    refilled: Instant,
}

impl Jwks {
    /// Takes one refetch from the bucket, if there is one.
    fn may_fetch(&mut self) -> bool {
        let gained = self.refilled.elapsed().as_secs_f64() / REFETCH_INTERVAL.as_secs_f64();
        self.budget = (self.budget + gained).min(REFETCH_BURST);
        self.refilled = Instant::now();
        if self.set.is_none() || self.budget >= 1.0 {
            self.budget = (self.budget - 1.0).max(0.0);
            true
        } else {
            false
        }
    }
}

struct Verified {
    user: User,
    exp: i64,
    checked: Instant,
}

pub struct RemoteProvider {
    name: String,
    cfg: RemoteConfig,
    http: reqwest::Client,
    jwks: Mutex<Jwks>,
    discovery: RwLock<(ProbeStatus, Option<ProviderInfo>)>,
    /// Capabilities as the provider describes them to each user (by `sub`), loaded at login.
    per_user: std::sync::Mutex<HashMap<String, ProviderInfo>>,
    /// The provider's OpenAPI document for its extension endpoints (`openapi` capability).
    extension_doc: RwLock<Option<Value>>,
    verified: std::sync::Mutex<HashMap<String, Verified>>,
    updates: broadcast::Sender<String>,
}

#[derive(Deserialize)]
struct Claims {
    sub: String,
    exp: i64,
    #[serde(default)]
    email: String,
    #[serde(default)]
    preferred_username: Option<String>,
    #[serde(default)]
    given_name: String,
    #[serde(default)]
    family_name: String,
    #[serde(default)]
    picture: String,
}

fn str_field(v: &Value, new: &str, old: &str) -> String {
    v.get(new)
        .or_else(|| v.get(old))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn map_field(v: &Value, key: &str) -> Option<serde_json::Map<String, Value>> {
    v.get(key).and_then(Value::as_object).cloned()
}

/// Meshery's capabilities JSON (newer camelCase keys, older snake_case ones) → [`ProviderInfo`].
pub fn parse_capabilities(v: &Value, base_url: &str) -> ProviderInfo {
    let description = v
        .get("providerDescription")
        .or_else(|| v.get("provider_description"))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    let capabilities = v
        .get("capabilities")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|c| {
                    Some(Capability {
                        feature: c.get("feature")?.as_str()?.to_string(),
                        endpoint: c
                            .get("endpoint")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_string(),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    ProviderInfo {
        provider_type: "remote",
        package_version: str_field(v, "packageVersion", "package_version"),
        package_url: str_field(v, "packageUrl", "package_url"),
        provider_name: str_field(v, "providerName", "provider_name"),
        provider_description: description,
        provider_url: base_url.to_string(),
        extensions: map_field(v, "extensions").unwrap_or_default(),
        capabilities,
        restricted_access: map_field(v, "restrictedAccess"),
    }
}

impl RemoteProvider {
    /// The registration key is the base URL's `host[:port]`: known before any probe, and stable
    /// when the provider renames itself.
    pub fn new(cfg: RemoteConfig, updates: broadcast::Sender<String>) -> Self {
        let base_url = cfg.base_url.trim_end_matches('/').to_string();
        let name = base_url
            .split("://")
            .nth(1)
            .unwrap_or(&base_url)
            .split('/')
            .next()
            .unwrap_or("")
            .to_string();
        let http = reqwest::Client::builder()
            .timeout(cfg.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default();
        Self {
            name,
            cfg: RemoteConfig { base_url, ..cfg },
            http,
            jwks: Mutex::new(Jwks {
                set: None,
                budget: REFETCH_BURST,
                refilled: Instant::now(),
            }),
            per_user: std::sync::Mutex::new(HashMap::new()),
            extension_doc: RwLock::new(None),
            discovery: RwLock::new((
                ProbeStatus {
                    state: ProbeState::Checking,
                    error: None,
                },
                None,
            )),
            verified: std::sync::Mutex::new(HashMap::new()),
            updates,
        }
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    fn unreachable(&self, what: impl std::fmt::Display) -> AppError {
        AppError::provider_unreachable(format!("provider `{}`: {what}", self.name))
    }

    fn set_discovery(&self, status: ProbeStatus, info: Option<ProviderInfo>) {
        let mut d = self.discovery.write().unwrap_or_else(|e| e.into_inner());
        *d = (status, info.or_else(|| d.1.take()));
        drop(d);
        let _ = self.updates.send(self.name.clone());
    }

    async fn fetch_capabilities(&self, token: Option<&str>) -> Result<ProviderInfo, String> {
        if let Some(file) = &self.cfg.capabilities_file {
            let text = tokio::fs::read_to_string(file)
                .await
                .map_err(|e| format!("{}: {e}", file.display()))?;
            let v: Value =
                serde_json::from_str(&text).map_err(|e| format!("{}: {e}", file.display()))?;
            return Ok(parse_capabilities(&v, &self.cfg.base_url));
        }
        let version = if self.cfg.server_version.starts_with('v') {
            self.cfg.server_version.clone()
        } else {
            format!("v{}", self.cfg.server_version)
        };
        let url = format!(
            "{}/{version}/capabilities?os={}&playground=false",
            self.cfg.base_url,
            std::env::consts::OS
        );
        let mut request = self.http.get(&url);
        if let Some(t) = token {
            request = request.bearer_auth(t);
        }
        let resp = request
            .send()
            .await
            .map_err(|e| format!("cannot reach {url}: {e}"))?;
        if !resp.status().is_success() {
            return Err(format!("{url} answered {}", resp.status()));
        }
        let v: Value = resp
            .json()
            .await
            .map_err(|e| format!("{url}: unreadable capabilities: {e}"))?;
        Ok(parse_capabilities(&v, &self.cfg.base_url))
    }

    /// The provider's OpenAPI document for its extensions, when it publishes one.
    async fn fetch_extension_doc(&self, info: &ProviderInfo) -> Option<Value> {
        let endpoint = info.capability("openapi")?;
        let url = format!("{}{}", self.cfg.base_url, endpoint);
        match self.http.get(&url).send().await {
            Ok(r) if r.status().is_success() => r
                .json::<Value>()
                .await
                .ok()
                .filter(|d| d.get("paths").is_some()),
            Ok(r) => {
                tracing::warn!(provider = %self.name, status = %r.status(), "extension OpenAPI document unavailable");
                None
            }
            Err(e) => {
                tracing::warn!(provider = %self.name, error = %e, "extension OpenAPI document unreachable");
                None
            }
        }
    }

    async fn fetch_jwks(&self) -> Result<JwkSet, AppError> {
        let url = format!("{}/keys", self.cfg.base_url);
        let resp = self
            .http
            .get(&url)
            .send()
            .await
            .map_err(|e| self.unreachable(format!("cannot fetch keys: {e}")))?;
        if !resp.status().is_success() {
            return Err(self.unreachable(format!("answered {} for its keys", resp.status())));
        }
        resp.json::<JwkSet>()
            .await
            .map_err(|e| self.unreachable(format!("unreadable JWKS: {e}")))
    }

    /// The decoding key for `kid`, from the cache or a (rate-limited) refetch.
    async fn key(&self, kid: &str) -> Result<DecodingKey, AppError> {
        let mut cache = self.jwks.lock().await;
        if let Some(jwk) = cache.set.as_ref().and_then(|s| s.find(kid)) {
            return DecodingKey::from_jwk(jwk)
                .map_err(|_| AppError::unauthenticated("unusable signing key"));
        }
        if cache.may_fetch() {
            cache.set = Some(self.fetch_jwks().await?);
        }
        let jwk = cache
            .set
            .as_ref()
            .and_then(|s| s.find(kid))
            .ok_or_else(|| AppError::unauthenticated("token signed with an unknown key"))?;
        DecodingKey::from_jwk(jwk).map_err(|_| AppError::unauthenticated("unusable signing key"))
    }

    /// Signature and claims, without asking the provider about revocation.
    async fn verify_signature(&self, token: &str) -> Result<(User, i64), AppError> {
        let header = jsonwebtoken::decode_header(token)
            .map_err(|_| AppError::unauthenticated("malformed token"))?;
        if header.alg != Algorithm::RS256 {
            return Err(AppError::unauthenticated("token algorithm must be RS256"));
        }
        let kid = header
            .kid
            .ok_or_else(|| AppError::unauthenticated("token has no key id (kid)"))?;
        let key = self.key(&kid).await?;
        let mut validation = Validation::new(Algorithm::RS256);
        validation.leeway = self.cfg.leeway;
        validation.validate_nbf = true;
        validation.set_required_spec_claims(&["exp", "sub"]);
        let data = jsonwebtoken::decode::<Claims>(token, &key, &validation).map_err(|e| {
            use jsonwebtoken::errors::ErrorKind;
            AppError::unauthenticated(match e.kind() {
                ErrorKind::ExpiredSignature => "token expired",
                ErrorKind::ImmatureSignature => "token not valid yet (nbf)",
                ErrorKind::MissingRequiredClaim(_) => "token lacks a required claim (exp, sub)",
                ErrorKind::InvalidSignature => "token signature does not verify",
                _ => "invalid token",
            })
        })?;
        let c = data.claims;
        let user = User {
            id: c.sub.clone(),
            user_id: c.preferred_username.unwrap_or_else(|| c.sub.clone()),
            first_name: c.given_name,
            last_name: c.family_name,
            email: c.email,
            avatar_url: c.picture,
            provider: self.name.clone(),
        };
        Ok((user, c.exp))
    }

    /// Whether the provider still considers the token active.
    async fn introspect(&self, token: &str) -> Result<bool, AppError> {
        let url = format!("{}/introspect", self.cfg.base_url);
        let resp = self
            .http
            .post(&url)
            .json(&serde_json::json!({ "token": token }))
            .send()
            .await
            .map_err(|e| self.unreachable(format!("cannot introspect: {e}")))?;
        match resp.status().as_u16() {
            // No introspection endpoint: the provider does not revoke tokens early.
            404 | 405 | 501 => Ok(true),
            401 | 403 => Ok(false),
            s if (200..300).contains(&s) => {
                let v: Value = resp.json().await.unwrap_or_default();
                Ok(v.get("active").and_then(Value::as_bool).unwrap_or(true))
            }
            s => Err(self.unreachable(format!("answered {s} to introspection"))),
        }
    }

    /// The endpoint URL of `feature`, or the error that names the missing capability.
    fn capability_url(&self, feature: &str, token: Option<&str>) -> Result<String, AppError> {
        let info = token
            .and_then(super::credentials::token_subject)
            .map_or_else(|| self.info(), |sub| self.info_for(&sub));
        match info.capability(feature) {
            Some(endpoint) => Ok(format!("{}{}", self.cfg.base_url, endpoint)),
            None if self.status().state != ProbeState::Online => {
                Err(self.unreachable("has not answered its capabilities probe"))
            }
            None => Err(AppError::new(
                crate::generated::rest::ErrorCode::CapabilityMissing,
                format!(
                    "provider `{}` does not offer the `{feature}` capability",
                    self.name
                ),
            )),
        }
    }

    /// POSTs `body` to the endpoint of `feature` on the user's behalf (`what` names it in
    /// errors); a provider without the capability is `CapabilityMissing`.
    async fn post_to(
        &self,
        session: &super::Session,
        feature: &str,
        body: &Value,
        what: &str,
    ) -> Result<(), AppError> {
        let url = self.capability_url(feature, session.access().as_deref())?;
        let resp = session
            .send(self, |t| self.http.post(&url).bearer_auth(t).json(body))
            .await
            .map_err(|e| self.unreachable(format!("cannot persist {what}: {e}")))?;
        match resp.status().as_u16() {
            401 => Err(AppError::unauthenticated(
                "the provider refused the session; log in again",
            )),
            s if (200..300).contains(&s) => Ok(()),
            s => Err(self.unreachable(format!("answered {s} when persisting {what}"))),
        }
    }

    /// Fills the profile from `users-profile` when the provider offers it; the token's claims
    /// stay the answer when it does not, or when the call fails.
    async fn enrich(&self, token: &str, mut user: User) -> User {
        let info = super::credentials::token_subject(token)
            .map_or_else(|| self.info(), |sub| self.info_for(&sub));
        let Some(endpoint) = info.capability("users-profile").map(str::to_string) else {
            return user;
        };
        let url = format!("{}{}", self.cfg.base_url, endpoint);
        let profile = match self.http.get(&url).bearer_auth(token).send().await {
            Ok(r) if r.status().is_success() => r.json::<Value>().await.unwrap_or_default(),
            Ok(r) => {
                tracing::warn!(provider = %self.name, status = %r.status(), "users-profile failed; using the token's claims");
                return user;
            }
            Err(e) => {
                tracing::warn!(provider = %self.name, error = %e, "users-profile unreachable; using the token's claims");
                return user;
            }
        };
        let field = |snake: &str, camel: &str| {
            profile
                .get(snake)
                .or_else(|| profile.get(camel))
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        if let Some(v) = field("user_id", "userId") {
            user.user_id = v;
        }
        if let Some(v) = field("first_name", "firstName") {
            user.first_name = v;
        }
        if let Some(v) = field("last_name", "lastName") {
            user.last_name = v;
        }
        if let Some(v) = field("email", "email") {
            user.email = v;
        }
        if let Some(v) = field("avatar_url", "avatarUrl") {
            user.avatar_url = v;
        }
        user
    }

    async fn verify(&self, token: &str) -> Result<User, AppError> {
        let now = chrono::Utc::now().timestamp();
        let leeway = self.cfg.leeway as i64;
        let cached = {
            let cache = self.verified.lock().unwrap_or_else(|e| e.into_inner());
            cache
                .get(token)
                .map(|v| (v.user.clone(), v.exp, v.checked.elapsed() < INTROSPECT_TTL))
        };
        let (user, exp) = match cached {
            Some((_, exp, _)) if exp + leeway < now => {
                self.verified
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .remove(token);
                return Err(AppError::unauthenticated("token expired"));
            }
            Some((user, _, true)) => return Ok(user),
            Some((user, exp, false)) => (user, exp),
            None => {
                let (user, exp) = self.verify_signature(token).await?;
                (self.enrich(token, user).await, exp)
            }
        };
        if !self.introspect(token).await? {
            self.verified
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remove(token);
            return Err(AppError::unauthenticated("token revoked"));
        }
        let mut cache = self.verified.lock().unwrap_or_else(|e| e.into_inner());
        if cache.len() >= CACHE_LIMIT {
            cache.retain(|_, v| v.exp + leeway >= now);
            if cache.len() >= CACHE_LIMIT {
                cache.clear();
            }
        }
        cache.insert(
            token.to_string(),
            Verified {
                user: user.clone(),
                exp,
                checked: Instant::now(),
            },
        );
        Ok(user)
    }
}

impl Provider for RemoteProvider {
    fn name(&self) -> &str {
        &self.name
    }

    fn info(&self) -> ProviderInfo {
        let d = self.discovery.read().unwrap_or_else(|e| e.into_inner());
        d.1.clone().unwrap_or_else(|| ProviderInfo {
            provider_type: "remote",
            package_version: String::new(),
            package_url: String::new(),
            provider_name: self.name.clone(),
            provider_description: vec![],
            provider_url: self.cfg.base_url.clone(),
            extensions: Default::default(),
            capabilities: vec![],
            restricted_access: None,
        })
    }

    fn info_for(&self, user_id: &str) -> ProviderInfo {
        let per_user = self.per_user.lock().unwrap_or_else(|e| e.into_inner());
        per_user.get(user_id).cloned().unwrap_or_else(|| {
            drop(per_user);
            self.info()
        })
    }

    fn status(&self) -> ProbeStatus {
        self.discovery
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .0
            .clone()
    }

    fn probe(&self) -> BoxFuture<'_, ()> {
        self.probe_as(None)
    }

    fn probe_as<'a>(&'a self, token: Option<&'a str>) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            if let Some(t) = token {
                // A user's view of the provider is kept for that user only.
                let Some(sub) = super::credentials::token_subject(t) else {
                    return;
                };
                match self.fetch_capabilities(Some(t)).await {
                    Ok(info) => {
                        let mut per_user = self.per_user.lock().unwrap_or_else(|e| e.into_inner());
                        if per_user.len() >= CACHE_LIMIT {
                            per_user.clear();
                        }
                        per_user.insert(sub, info);
                    }
                    Err(e) => {
                        tracing::warn!(provider = %self.name, error = %e, "capabilities as the user failed")
                    }
                }
                return;
            }
            self.set_discovery(
                ProbeStatus {
                    state: ProbeState::Checking,
                    error: None,
                },
                None,
            );
            match self.fetch_capabilities(token).await {
                Ok(info) => {
                    let doc = self.fetch_extension_doc(&info).await;
                    *self
                        .extension_doc
                        .write()
                        .unwrap_or_else(|e| e.into_inner()) = doc;
                    self.set_discovery(
                        ProbeStatus {
                            state: ProbeState::Online,
                            error: None,
                        },
                        Some(info),
                    );
                }
                Err(e) => {
                    tracing::warn!(provider = %self.name, error = %e, "provider probe failed");
                    self.set_discovery(
                        ProbeStatus {
                            state: ProbeState::Offline,
                            error: Some(e),
                        },
                        None,
                    )
                }
            }
        })
    }

    fn authenticate<'a>(&'a self, token: Option<&'a str>) -> BoxFuture<'a, Result<User, AppError>> {
        Box::pin(async move {
            let token = token
                .ok_or_else(|| AppError::unauthenticated("this provider needs an access token"))?;
            self.verify(token).await
        })
    }

    fn login_url(&self, callback: &str, return_to: &str) -> Option<String> {
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        Some(format!(
            "{}/login?source={}&provider_version=v0.3.14&meshery_version={}&ref={}",
            self.cfg.base_url,
            b64.encode(callback),
            self.cfg.server_version,
            b64.encode(return_to)
        ))
    }

    fn logout<'a>(&'a self, token_cookie: Option<&'a str>) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            let access = token_cookie.and_then(super::token_from_cookie_value);
            if let Some(t) = &access {
                self.verified
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .remove(t);
            }
            let mut logout = self.http.get(format!("{}/logout", self.cfg.base_url));
            if let Some(t) = &access {
                logout = logout.bearer_auth(t);
            }
            if let Err(e) = logout.send().await {
                tracing::warn!(provider = %self.name, error = %e, "provider logout failed; the local session ends anyway");
            }
            if let Some(refresh) =
                token_cookie.and_then(super::credentials::refresh_token_from_cookie_value)
            {
                let revoke = self
                    .http
                    .post(format!("{}/revoke", self.cfg.base_url))
                    .json(&serde_json::json!({ "token": refresh }));
                if let Err(e) = revoke.send().await {
                    tracing::warn!(provider = %self.name, error = %e, "refresh token revocation failed");
                }
            }
        })
    }

    fn base_url(&self) -> Option<&str> {
        Some(&self.cfg.base_url)
    }

    fn extension_openapi(&self) -> Option<Value> {
        self.extension_doc
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn load_prefs<'a>(
        &'a self,
        session: &'a super::Session,
    ) -> BoxFuture<'a, Result<Option<Value>, AppError>> {
        Box::pin(async move {
            let url = self.capability_url("sync-prefs", session.access().as_deref())?;
            let resp = session
                .send(self, |t| self.http.get(&url).bearer_auth(t))
                .await
                .map_err(|e| self.unreachable(format!("cannot load preferences: {e}")))?;
            match resp.status().as_u16() {
                404 => Ok(Some(Value::Object(Default::default()))),
                401 => Err(AppError::unauthenticated(
                    "the provider refused the session; log in again",
                )),
                s if (200..300).contains(&s) => Ok(Some(resp.json().await.unwrap_or_default())),
                s => Err(self.unreachable(format!("answered {s} for preferences"))),
            }
        })
    }

    fn save_prefs<'a>(
        &'a self,
        session: &'a super::Session,
        prefs: &'a Value,
    ) -> BoxFuture<'a, Result<bool, AppError>> {
        Box::pin(async move {
            let url = self.capability_url("sync-prefs", session.access().as_deref())?;
            let resp = session
                .send(self, |t| self.http.put(&url).bearer_auth(t).json(prefs))
                .await
                .map_err(|e| self.unreachable(format!("cannot save preferences: {e}")))?;
            match resp.status().as_u16() {
                401 => Err(AppError::unauthenticated(
                    "the provider refused the session; log in again",
                )),
                s if (200..300).contains(&s) => Ok(true),
                s => Err(self.unreachable(format!("answered {s} when saving preferences"))),
            }
        })
    }

    fn persist_event<'a>(
        &'a self,
        session: &'a super::Session,
        event: &'a Value,
    ) -> BoxFuture<'a, Result<(), AppError>> {
        Box::pin(async move {
            self.post_to(session, "persist-events", event, "an event")
                .await
        })
    }

    fn persist_result<'a>(
        &'a self,
        session: &'a super::Session,
        result: &'a Value,
    ) -> BoxFuture<'a, Result<bool, AppError>> {
        Box::pin(async move {
            match self
                .post_to(session, "persist-results", result, "a result")
                .await
            {
                Ok(()) => Ok(true),
                Err(e) if e.code == crate::generated::rest::ErrorCode::CapabilityMissing => {
                    Ok(false)
                }
                Err(e) => Err(e),
            }
        })
    }

    fn fetch_events<'a>(
        &'a self,
        session: &'a super::Session,
    ) -> BoxFuture<'a, Result<Vec<Value>, AppError>> {
        Box::pin(async move {
            let url = self.capability_url("get-events", session.access().as_deref())?;
            let resp = session
                .send(self, |t| {
                    self.http
                        .get(&url)
                        .query(&[("page", "0"), ("pagesize", "100")])
                        .bearer_auth(t)
                })
                .await
                .map_err(|e| self.unreachable(format!("cannot list events: {e}")))?;
            match resp.status().as_u16() {
                401 => Err(AppError::unauthenticated(
                    "the provider refused the session; log in again",
                )),
                s if (200..300).contains(&s) => {
                    let v: Value = resp.json().await.unwrap_or_default();
                    let list = v.get("events").cloned().unwrap_or(v);
                    Ok(list.as_array().cloned().unwrap_or_default())
                }
                s => Err(self.unreachable(format!("answered {s} when listing events"))),
            }
        })
    }

    fn refresh<'a>(&'a self, cookie: &'a str) -> BoxFuture<'a, Result<String, AppError>> {
        Box::pin(async move {
            let url = format!("{}/refresh", self.cfg.base_url);
            let resp = self
                .http
                .post(&url)
                .json(&serde_json::json!({ "token": cookie }))
                .send()
                .await
                .map_err(|e| self.unreachable(format!("cannot refresh: {e}")))?;
            if !resp.status().is_success() {
                return Err(AppError::unauthenticated(
                    "the provider refused to refresh the session; log in again",
                ));
            }
            let v: Value = resp.json().await.unwrap_or_default();
            v.get("token")
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| {
                    AppError::unauthenticated("the provider's refresh answer has no token")
                })
        })
    }
}
