//! Reading the access token from a request: `Authorization: Bearer`, else the `token` cookie.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};

/// The access token of a request, if it carries one.
pub fn bearer_or_cookie_token(authorization: Option<&str>, cookie: Option<&str>) -> Option<String> {
    if let Some(auth) = authorization {
        let (scheme, value) = auth.trim().split_once(' ')?;
        if scheme.eq_ignore_ascii_case("bearer") && !value.trim().is_empty() {
            return Some(value.trim().to_string());
        }
        return None;
    }
    let raw = super::cookie_value(cookie?, super::TOKEN_COOKIE)?;
    token_from_cookie_value(&raw)
}

/// Meshery's `token` cookie holds base64 of the provider's OAuth2 token JSON, whose
/// `access_token` is the JWT; a value that is not such a document is taken as the raw token.
pub fn token_from_cookie_value(raw: &str) -> Option<String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    for engine in [&STANDARD, &STANDARD_NO_PAD, &URL_SAFE, &URL_SAFE_NO_PAD] {
        if let Ok(bytes) = engine.decode(raw)
            && let Ok(v) = serde_json::from_slice::<serde_json::Value>(&bytes)
            && let Some(t) = v.get("access_token").and_then(|t| t.as_str())
        {
            return Some(t.to_string());
        }
    }
    Some(raw.to_string())
}

/// The `exp` claim of a JWT, without verifying it (callers verify first).
pub fn token_expiry(jwt: &str) -> Option<i64> {
    let payload = jwt.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()?
        .get("exp")?
        .as_i64()
}

/// The `sub` claim of a JWT, without verifying it (callers verify first).
pub fn token_subject(jwt: &str) -> Option<String> {
    let payload = jwt.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()?
        .get("sub")?
        .as_str()
        .map(str::to_string)
}

/// The OAuth2 `refresh_token` inside a `token` cookie, if it is the base64 JSON form.
pub fn refresh_token_from_cookie_value(raw: &str) -> Option<String> {
    let raw = raw.trim();
    [&STANDARD, &STANDARD_NO_PAD, &URL_SAFE, &URL_SAFE_NO_PAD]
        .iter()
        .find_map(|engine| {
            let bytes = engine.decode(raw).ok()?;
            let v: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
            v.get("refresh_token")?
                .as_str()
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_wins_over_cookie() {
        assert_eq!(
            bearer_or_cookie_token(Some("Bearer abc"), Some("token=zzz")).as_deref(),
            Some("abc")
        );
        assert_eq!(
            bearer_or_cookie_token(Some("Basic abc"), Some("token=zzz")),
            None
        );
        assert_eq!(
            bearer_or_cookie_token(None, Some("token=zzz")).as_deref(),
            Some("zzz")
        );
        assert_eq!(bearer_or_cookie_token(None, None), None);
    }

    #[test]
    fn oauth_token_json_is_unwrapped() {
        let json = r#"{"access_token":"jwt.value.here","token_type":"bearer"}"#;
        for e in [&STANDARD, &URL_SAFE_NO_PAD] {
            assert_eq!(
                token_from_cookie_value(&e.encode(json)).as_deref(),
                Some("jwt.value.here")
            );
        }
        assert_eq!(token_from_cookie_value("a.b.c").as_deref(), Some("a.b.c"));
    }
}
