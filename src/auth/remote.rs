//! A remote provider (configured with `PROVIDER_BASE_URLS`): verifies RS256 access tokens
//! against the provider's JWKS at `{base}/keys`.
//!
//! Stricter than Meshery on purpose: the algorithm is pinned to RS256 (no `none`, no HS256
//! with the public key), `exp` is required (Meshery accepts tokens without it forever), `nbf`
//! is honoured, clock skew is bounded by `--jwt-leeway-secs`. The JWKS is cached and fetched
//! again when a token names a `kid` the cache lacks, at most once per `REFETCH_INTERVAL`, so
//! a flood of forged `kid`s cannot turn into a flood of requests to the provider.

use super::provider::{Provider, ProviderInfo};
use crate::domain::user::User;
use crate::error::AppError;
use base64::Engine;
use futures::future::BoxFuture;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, jwk::JwkSet};
use serde::Deserialize;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

const REFETCH_INTERVAL: Duration = Duration::from_secs(5);
const HTTP_TIMEOUT: Duration = Duration::from_secs(5);

pub struct RemoteProvider {
    name: String,
    base_url: String,
    leeway: u64,
    http: reqwest::Client,
    jwks: Mutex<Option<(JwkSet, Instant)>>,
}

#[derive(Deserialize)]
struct Claims {
    sub: String,
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

impl RemoteProvider {
    /// `name` is the registration key; by default the base URL's host.
    pub fn new(base_url: &str, leeway: u64) -> Self {
        let base_url = base_url.trim_end_matches('/').to_string();
        let name = base_url
            .split("://")
            .nth(1)
            .unwrap_or(&base_url)
            .split('/')
            .next()
            .unwrap_or("")
            .to_string();
        let http = reqwest::Client::builder()
            .timeout(HTTP_TIMEOUT)
            .build()
            .unwrap_or_default();
        Self {
            name,
            base_url,
            leeway,
            http,
            jwks: Mutex::new(None),
        }
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    async fn fetch_jwks(&self) -> Result<JwkSet, AppError> {
        let url = format!("{}/keys", self.base_url);
        let resp = self.http.get(&url).send().await.map_err(|e| {
            AppError::provider_unreachable(format!("cannot reach provider `{}`: {e}", self.name))
        })?;
        if !resp.status().is_success() {
            return Err(AppError::provider_unreachable(format!(
                "provider `{}` answered {} for its keys",
                self.name,
                resp.status()
            )));
        }
        resp.json::<JwkSet>().await.map_err(|e| {
            AppError::provider_unreachable(format!(
                "provider `{}` sent an unreadable JWKS: {e}",
                self.name
            ))
        })
    }

    /// The decoding key for `kid`, from the cache or a (rate-limited) refetch.
    async fn key(&self, kid: &str) -> Result<DecodingKey, AppError> {
        let mut cache = self.jwks.lock().await;
        if let Some((set, _)) = cache.as_ref()
            && let Some(jwk) = set.find(kid)
        {
            return DecodingKey::from_jwk(jwk)
                .map_err(|_| AppError::unauthenticated("unusable signing key"));
        }
        let may_fetch = cache
            .as_ref()
            .is_none_or(|(_, at)| at.elapsed() >= REFETCH_INTERVAL);
        if may_fetch {
            let set = self.fetch_jwks().await?;
            *cache = Some((set, Instant::now()));
        }
        let (set, _) = cache.as_ref().expect("filled above");
        let jwk = set
            .find(kid)
            .ok_or_else(|| AppError::unauthenticated("token signed with an unknown key"))?;
        DecodingKey::from_jwk(jwk).map_err(|_| AppError::unauthenticated("unusable signing key"))
    }

    async fn verify(&self, token: &str) -> Result<User, AppError> {
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
        validation.leeway = self.leeway;
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
        Ok(User {
            id: c.sub.clone(),
            user_id: c.preferred_username.unwrap_or_else(|| c.sub.clone()),
            first_name: c.given_name,
            last_name: c.family_name,
            email: c.email,
            avatar_url: c.picture,
            provider: self.name.clone(),
        })
    }
}

impl Provider for RemoteProvider {
    fn name(&self) -> &str {
        &self.name
    }

    fn info(&self) -> ProviderInfo {
        ProviderInfo {
            provider_type: "remote",
            package_version: String::new(),
            package_url: String::new(),
            provider_name: self.name.clone(),
            provider_description: vec![],
            provider_url: self.base_url.clone(),
            extensions: Default::default(),
            capabilities: vec![],
            restricted_access: None,
        }
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
            self.base_url,
            b64.encode(callback),
            env!("CARGO_PKG_VERSION"),
            b64.encode(return_to)
        ))
    }
}
