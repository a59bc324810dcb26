//! Where a login may send the browser back to. Meshery follows `ref` wherever it points; here
//! only a path on this server is followed. `ref` arrives plain or base64url-encoded (Meshery's
//! form), possibly percent-encoded: every decoded form must be a plain absolute path, so
//! `//host`, `/\host`, `https://host` and their encodings never leave the site.

use base64::Engine;
use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};

fn percent_decode_once(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(b) = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A local path: starts with one `/`, no backslash, no control characters, and stays so under
/// repeated percent-decoding.
fn is_local_path(candidate: &str) -> bool {
    let mut s = candidate.to_string();
    for _ in 0..4 {
        if !s.starts_with('/')
            || s.starts_with("//")
            || s.contains('\\')
            || s.chars().any(char::is_control)
        {
            return false;
        }
        let next = percent_decode_once(&s);
        if next == s {
            return true;
        }
        s = next;
    }
    false
}

/// The path to return to after login, if `raw` is a safe one.
pub fn safe_return_path(raw: &str) -> Option<String> {
    let raw = raw.trim();
    if raw.is_empty() || raw.len() > 4096 {
        return None;
    }
    if raw.starts_with('/') {
        return (is_local_path(raw) && !is_session_path(raw)).then(|| raw.to_string());
    }
    let decoded = [&URL_SAFE_NO_PAD, &URL_SAFE]
        .iter()
        .find_map(|e| e.decode(raw).ok())
        .and_then(|b| String::from_utf8(b).ok())?;
    (is_local_path(&decoded) && !is_session_path(&decoded)).then_some(decoded)
}

/// Returning to a login or callback URL after login would start over: never a target.
fn is_session_path(path: &str) -> bool {
    let p = path
        .split(['?', '#'])
        .next()
        .unwrap_or(path)
        .trim_end_matches('/');
    matches!(p, "/api/user/token" | "/user/login" | "/user/logout")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_paths_are_followed() {
        assert_eq!(
            safe_return_path("/extension/meshmap?x=1").as_deref(),
            Some("/extension/meshmap?x=1")
        );
        assert_eq!(
            safe_return_path(&URL_SAFE_NO_PAD.encode("/settings")).as_deref(),
            Some("/settings")
        );
    }

    #[test]
    fn off_site_targets_are_refused() {
        for evil in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "/%2F%2Fevil.example",
            "%2F%2Fevil.example",
            "/%5Cevil.example",
            "/%255Cevil.example",
            "/%252F%252Fevil.example",
            "javascript:alert(1)",
            "/\tevil",
            "/api/user/token?token=x",
            "/user/login",
            "",
        ] {
            assert_eq!(safe_return_path(evil), None, "{evil}");
            assert_eq!(
                safe_return_path(&URL_SAFE_NO_PAD.encode(evil)),
                None,
                "base64 {evil}"
            );
        }
    }
}
