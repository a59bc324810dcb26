//! `/api/extensions/*`: forwards a request to the selected remote provider, as Meshery does, but
//! it can never reach anything except the provider's own base URL.
//!
//! The rest of the path must be plain path segments: no `.`/`..` segments, no backslash, no
//! empty segment (`//`), no `@` or `:` (userinfo and scheme tricks), and no percent-encoded
//! slash, backslash or dot (`%2F`, `%5C`, `%2E`) that a server behind might decode into one.
//! After joining, the URL's scheme, host, port and path prefix are compared with the base URL's
//! once more. The user's token travels as `Authorization: Bearer` and `X-API-Key`; the answer
//! is streamed back with its status and content type, without hop-by-hop headers or cookies,
//! and cut off past `MAX_RESPONSE_BYTES`.

use crate::AppState;
use crate::error::AppError;
use futures::StreamExt;
use poem::http::{HeaderName, StatusCode, header};
use poem::{Body, Request, Response, handler, web::Data};
use std::sync::Arc;
use std::time::Duration;

const MAX_RESPONSE_BYTES: usize = 32 * 1024 * 1024;
const PREFIX: &str = "/api/extensions/";

/// Headers of the answer that are about the hop, not the content, or that would set state on
/// this server's origin.
const DROPPED: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "set-cookie",
    "content-length",
];

/// `Ok(rest)` when the part after `/api/extensions/` is safe to append to the base URL.
pub fn checked_rest(raw_path: &str) -> Result<&str, AppError> {
    let rest = raw_path
        .strip_prefix(PREFIX)
        .ok_or_else(|| AppError::not_found("extension path"))?;
    let bad = |why: &str| Err(AppError::invalid(format!("extension path rejected: {why}")));
    if rest.is_empty() {
        return bad("empty");
    }
    let lower = rest.to_ascii_lowercase();
    if lower.contains("%2f")
        || lower.contains("%5c")
        || lower.contains("%2e")
        || lower.contains("%00")
    {
        return bad("encoded slash, backslash, dot or NUL");
    }
    if rest.contains('\\') || rest.contains('@') || rest.contains(':') {
        return bad("backslash, `@` or `:`");
    }
    for seg in rest.split('/') {
        if seg.is_empty() || seg == "." || seg == ".." {
            return bad("empty, `.` or `..` segment");
        }
        if !seg
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=%".contains(&b))
        {
            return bad("unexpected character");
        }
    }
    Ok(rest)
}

/// The provider URL for `rest` and `query`, checked to stay under `base`.
pub fn target_url(base: &str, rest: &str, query: Option<&str>) -> Result<reqwest::Url, AppError> {
    let base_url = reqwest::Url::parse(base)
        .map_err(|_| AppError::internal("provider base URL does not parse"))?;
    let mut joined = format!("{}/{rest}", base.trim_end_matches('/'));
    if let Some(q) = query.filter(|q| !q.is_empty()) {
        joined.push('?');
        joined.push_str(q);
    }
    let url = reqwest::Url::parse(&joined)
        .map_err(|_| AppError::invalid("extension path rejected: not a URL path"))?;
    let prefix = base_url.path().trim_end_matches('/');
    let same_origin = url.scheme() == base_url.scheme()
        && url.host_str() == base_url.host_str()
        && url.port_or_known_default() == base_url.port_or_known_default()
        && url.username().is_empty()
        && url.password().is_none();
    if !same_origin || !url.path().starts_with(&format!("{prefix}/")) {
        return Err(AppError::invalid(
            "extension path rejected: leaves the provider",
        ));
    }
    Ok(url)
}

#[handler]
pub async fn proxy(req: &Request, body: Body, state: Data<&Arc<AppState>>) -> Response {
    match forward(req, body, &state).await {
        Ok(resp) => resp,
        Err(e) => e.to_response(),
    }
}

async fn forward(req: &Request, body: Body, state: &Arc<AppState>) -> Result<Response, AppError> {
    let timeout = Duration::from_secs(state.config.extension_timeout_secs);
    let ctx = super::authenticate(state, req).await?;
    let base = ctx
        .provider
        .base_url()
        .ok_or_else(|| AppError::invalid("extensions are not available with the Local provider"))?
        .to_string();
    let rest = checked_rest(req.uri().path())?;
    let url = target_url(&base, rest, req.uri().query())?;
    let method = reqwest::Method::from_bytes(req.method().as_str().as_bytes())
        .map_err(|_| AppError::invalid("unsupported method"))?;
    let bytes = body
        .into_bytes()
        .await
        .map_err(|e| AppError::invalid(format!("unreadable body: {e}")))?;
    let client = reqwest::Client::builder()
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(AppError::internal)?;
    let forwarded: Vec<(String, String)> = [
        header::CONTENT_TYPE,
        header::ACCEPT,
        header::ACCEPT_LANGUAGE,
    ]
    .iter()
    .filter_map(|name| {
        req.header(name)
            .map(|v| (name.as_str().to_string(), v.to_string()))
    })
    .collect();
    let build = |token: &str| {
        let mut out = client
            .request(method.clone(), url.clone())
            .bearer_auth(token)
            .header("X-API-Key", token);
        for (name, value) in &forwarded {
            out = out.header(name.as_str(), value.as_str());
        }
        if !bytes.is_empty() {
            out = out.body(bytes.to_vec());
        }
        out
    };
    // A 401 from the provider gets one refresh of the session and a retry.
    let answer = ctx
        .session
        .send(ctx.provider.as_ref(), build)
        .await
        .map_err(|e| {
            if e.is_timeout() {
                AppError::provider_unreachable(format!(
                    "provider `{}` did not answer within {timeout:?}",
                    ctx.provider.name()
                ))
            } else {
                AppError::provider_unreachable(format!(
                    "cannot reach provider `{}`",
                    ctx.provider.name()
                ))
            }
        })?;
    let mut resp = Response::builder()
        .status(StatusCode::from_u16(answer.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY));
    for (name, value) in answer.headers() {
        if DROPPED.contains(&name.as_str()) {
            continue;
        }
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.as_str().as_bytes()),
            value.to_str(),
        ) {
            resp = resp.header(n, v);
        }
    }
    let mut seen = 0usize;
    let stream = answer.bytes_stream().take_while(move |chunk| {
        let keep = match chunk {
            Ok(c) => {
                seen += c.len();
                seen <= MAX_RESPONSE_BYTES
            }
            Err(_) => false,
        };
        async move { keep }
    });
    let stream = stream.map(|c| c.map_err(std::io::Error::other));
    Ok(resp.body(Body::from_bytes_stream(stream)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_are_rejected() {
        for bad in [
            "/api/extensions/",
            "/api/extensions/../admin",
            "/api/extensions/a/../../x",
            "/api/extensions/%2e%2e/x",
            "/api/extensions/a%2Fb",
            "/api/extensions/a%5cb",
            "/api/extensions/a\\b",
            "/api/extensions//evil.example/x",
            "/api/extensions/@evil.example",
            "/api/extensions/http:/evil",
            "/api/extensions/./x",
            "/api/extensions/a%00",
        ] {
            assert!(checked_rest(bad).is_err(), "{bad}");
        }
        assert_eq!(
            checked_rest("/api/extensions/hello/world").unwrap(),
            "hello/world"
        );
    }

    #[test]
    fn targets_stay_under_the_base() {
        let u = target_url("http://127.0.0.1:9876/prov", "hello", Some("name=x")).unwrap();
        assert_eq!(u.as_str(), "http://127.0.0.1:9876/prov/hello?name=x");
        assert!(target_url("http://127.0.0.1:9876", "hello", None).is_ok());
    }
}
