//! Token shapes: the JWT claims, the OAuth2 token document Meshery keeps in its `token`
//! cookie, and the helpers that accept either form.
//!
//! Meshery forwards the *cookie value* (base64 of the OAuth2 JSON) as the bearer token to
//! the provider, while meshery-server may forward the bare JWT; the provider accepts both so
//! either client works against it.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

/// The access token's claims; the names are the ones meshery-server's remote provider reads.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Claims {
    pub sub: String,
    pub email: String,
    pub preferred_username: String,
    pub given_name: String,
    pub family_name: String,
    pub picture: String,
    pub iss: String,
    pub iat: u64,
    pub exp: u64,
    /// Identifies the token for revocation without keeping the token itself.
    pub jti: String,
}

/// A freshly minted token pair, and the value Meshery would store in its `token` cookie.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Issued {
    pub access_token: String,
    pub refresh_token: String,
    /// Base64 (standard, padded) of `{"access_token","token_type":"bearer","refresh_token",
    /// "expiry"}`: what the provider hands to Meshery's callback as `?token=`.
    pub cookie_value: String,
}

/// The OAuth2 token document (Go's `oauth2.Token` JSON).
#[derive(Serialize, Deserialize)]
struct OAuthToken {
    access_token: String,
    #[serde(default)]
    token_type: String,
    #[serde(default)]
    refresh_token: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expiry: Option<String>,
}

pub(crate) fn cookie_value(access: &str, refresh: &str, expiry: DateTime<Utc>) -> String {
    let doc = OAuthToken {
        access_token: access.to_string(),
        token_type: "bearer".to_string(),
        refresh_token: refresh.to_string(),
        expiry: Some(expiry.to_rfc3339_opts(SecondsFormat::Secs, true)),
    };
    STANDARD.encode(serde_json::to_vec(&doc).expect("a token document serializes"))
}

/// Decodes a cookie value; any base64 flavour is accepted because clients differ.
fn decode_cookie(value: &str) -> Option<OAuthToken> {
    let value = value.trim();
    [&STANDARD, &STANDARD_NO_PAD, &URL_SAFE, &URL_SAFE_NO_PAD]
        .into_iter()
        .filter_map(|engine| engine.decode(value).ok())
        .find_map(|bytes| serde_json::from_slice::<OAuthToken>(&bytes).ok())
}

/// The access token inside a cookie value, or the value itself if it is not one.
pub(crate) fn access_token_from(value: &str) -> String {
    decode_cookie(value).map_or_else(|| value.trim().to_string(), |t| t.access_token)
}

/// The refresh token inside a cookie value, or the value itself if it is not one.
pub(crate) fn refresh_token_from(value: &str) -> String {
    decode_cookie(value).map_or_else(|| value.trim().to_string(), |t| t.refresh_token)
}

/// Opaque, unguessable refresh tokens: they are looked up, never parsed.
pub(crate) fn new_refresh_token() -> String {
    format!(
        "rt-{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_round_trip() {
        let v = cookie_value("a.b.c", "rt-1", Utc::now());
        assert_eq!(access_token_from(&v), "a.b.c");
        assert_eq!(refresh_token_from(&v), "rt-1");
        // A bare token is passed through.
        assert_eq!(access_token_from("a.b.c"), "a.b.c");
        let doc: serde_json::Value = serde_json::from_slice(&STANDARD.decode(&v).unwrap()).unwrap();
        assert_eq!(doc["token_type"], "bearer");
        assert!(doc["expiry"].as_str().unwrap().ends_with('Z'));
    }
}
