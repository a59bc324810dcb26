//! The state every handler and the [`Control`](super::Control) handle share, and the two
//! operations everything else is built on: minting a token pair and verifying a token.

use super::TestUser;
use super::keys::KeyRing;
use super::store::Store;
use super::tokens::{self, Claims, Issued};
use chrono::{Duration, Utc};
use jsonwebtoken::{Algorithm, Validation};
use std::sync::atomic::AtomicBool;
use std::sync::{Mutex, MutexGuard};

/// One request the provider received, for tests to assert what meshery-server sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedRequest {
    pub method: String,
    /// Path and query, as received (e.g. `/logout` or `/extensions/hello?name=x`).
    pub path: String,
    /// The `Authorization` header, verbatim.
    pub authorization: Option<String>,
}

pub(crate) struct Shared {
    pub name: String,
    pub user: TestUser,
    pub token_ttl_secs: u64,
    pub package_version: String,
    pub base_url: String,
    pub keys: Mutex<KeyRing>,
    pub store: Mutex<Store>,
    pub down: AtomicBool,
    pub log: Mutex<Vec<RecordedRequest>>,
}

/// Poisoning only means a test panicked while holding a lock; the data is still usable,
/// and refusing to serve would hide the real failure behind a second one.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    /// Signs an access token for the configured user; returns it with its `jti` and expiry.
    fn mint_access(&self) -> (String, String, chrono::DateTime<Utc>) {
        let now = Utc::now();
        let ttl = i64::try_from(self.token_ttl_secs).unwrap_or(i64::MAX / 1000);
        let expiry = now + Duration::seconds(ttl);
        let u = &self.user;
        let claims = Claims {
            sub: u.sub.clone(),
            email: u.email.clone(),
            preferred_username: u.email.clone(),
            given_name: u.given_name.clone(),
            family_name: u.family_name.clone(),
            picture: u.picture.clone(),
            iss: self.base_url.clone(),
            iat: now.timestamp().max(0) as u64,
            exp: expiry.timestamp().max(0) as u64,
            jti: uuid::Uuid::new_v4().to_string(),
        };
        let token = lock(&self.keys).sign(&claims);
        (token, claims.jti, expiry)
    }

    /// A new login: a fresh grant with one access token and one refresh token.
    pub(crate) fn issue(&self) -> Issued {
        let (access_token, jti, expiry) = self.mint_access();
        let refresh_token = tokens::new_refresh_token();
        lock(&self.store).add_grant(refresh_token.clone(), self.user.sub.clone(), jti);
        Issued {
            cookie_value: tokens::cookie_value(&access_token, &refresh_token, expiry),
            access_token,
            refresh_token,
        }
    }

    /// Exchanges a refresh token (or a cookie value carrying one) for a new pair. The old
    /// refresh token is consumed, so a replayed refresh token fails, as with rotating
    /// refresh tokens at real providers.
    pub(crate) fn refresh(&self, value: &str) -> Option<Issued> {
        let old = tokens::refresh_token_from(value);
        let (sub, jtis) = lock(&self.store).take_grant(&old)?;
        let (access_token, jti, expiry) = self.mint_access();
        let refresh_token = tokens::new_refresh_token();
        lock(&self.store).continue_grant(refresh_token.clone(), sub, jtis, jti);
        Some(Issued {
            cookie_value: tokens::cookie_value(&access_token, &refresh_token, expiry),
            access_token,
            refresh_token,
        })
    }

    /// Verifies an access token (or a cookie value carrying one): RS256 with a published
    /// key named by `kid`, `exp` required and in the future (no leeway: tests of expiry
    /// should not have to wait a minute), and not revoked.
    pub(crate) fn verify(&self, value: &str) -> Result<Claims, &'static str> {
        let token = tokens::access_token_from(value);
        let header = jsonwebtoken::decode_header(&token).map_err(|_| "malformed token")?;
        if header.alg != Algorithm::RS256 {
            return Err("token algorithm must be RS256");
        }
        let kid = header.kid.ok_or("token has no key id (kid)")?;
        let mut validation = Validation::new(Algorithm::RS256);
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "sub"]);
        let claims = {
            let keys = lock(&self.keys);
            let key = keys
                .decoding_key(&kid)
                .ok_or("token signed with an unknown key")?;
            jsonwebtoken::decode::<Claims>(&token, key, &validation)
                .map_err(|e| match e.kind() {
                    jsonwebtoken::errors::ErrorKind::ExpiredSignature => "token expired",
                    _ => "invalid token",
                })?
                .claims
        };
        if lock(&self.store).is_revoked(&claims.jti) {
            return Err("token revoked");
        }
        Ok(claims)
    }
}
