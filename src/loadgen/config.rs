//! What a load test is asked to do ([`LoadSpec`]), the server's limits ([`Limits`]), and the
//! checks made before anything runs ([`validate`], [`parse_duration`]).

use std::time::Duration;

use reqwest::Url;
use reqwest::header::{HeaderName, HeaderValue};

/// One load test: target, request, rate, connections, duration.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadSpec {
    /// Absolute `http://` or `https://` URL.
    pub url: String,
    /// HTTP method (`GET`, `POST`, …).
    pub method: String,
    /// Extra request headers, sent as given.
    pub headers: Vec<(String, String)>,
    /// Cookies, sent as one `Cookie: a=b; c=d` header.
    pub cookies: Vec<(String, String)>,
    /// Request body, sent with every request.
    pub body: Option<Vec<u8>>,
    /// `Content-Type` of the body.
    pub content_type: Option<String>,
    /// Target requests per second over all connections; `0` = as fast as possible.
    pub qps: f64,
    /// Concurrent connections (`c`), each its own task and socket; at least 1.
    pub connections: usize,
    /// Informational only: recorded, not used for scheduling (every connection is a tokio task).
    pub threads: usize,
    /// How long requests are sent for.
    pub duration: Duration,
    /// Per-request timeout (connect + response + body); a timed-out request is an error.
    pub timeout: Duration,
    /// Free-form labels, kept in the result (Fortio's `Labels`).
    pub labels: String,
    /// Which HTTP version to speak; see [`HttpVersion`].
    pub http_version: HttpVersion,
    /// Accept any TLS certificate on `https://` (Fortio's `-k`), for targets with self-signed
    /// certificates. Off by default.
    pub accept_invalid_certs: bool,
}

/// The HTTP version a run speaks. Either way every connection (`c`) is its own TCP
/// connection carrying one request at a time, so `c` means connections for both versions and
/// HTTP/2 multiplexing never hides a slow target behind extra streams.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum HttpVersion {
    /// HTTP/1.1 on `http://`; on `https://` whatever ALPN negotiates (`h2` or `http/1.1`),
    /// as a browser or Fortio would.
    #[default]
    Http1,
    /// HTTP/2 only: with prior knowledge (h2c, no upgrade) on `http://`, and `h2` via ALPN on
    /// `https://`. A target that cannot speak it gives transport errors.
    Http2,
}

impl LoadSpec {
    /// A `GET` of `url`, as fast as possible, one connection, for 30 s, with Fortio's default
    /// 3 s request timeout.
    pub fn new(url: impl Into<String>) -> Self {
        LoadSpec {
            url: url.into(),
            method: "GET".into(),
            headers: Vec::new(),
            cookies: Vec::new(),
            body: None,
            content_type: None,
            qps: 0.0,
            connections: 1,
            threads: 1,
            duration: Duration::from_secs(30),
            timeout: Duration::from_secs(3),
            labels: String::new(),
            http_version: HttpVersion::Http1,
            accept_invalid_certs: false,
        }
    }
}

/// Server-side limits on what a test may ask for (configurable by the operator).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    pub max_duration: Duration,
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_duration: Duration::from_secs(3600),
            max_connections: 1024,
        }
    }
}

/// Parses a Go-style duration: Meshery's `dur` values (`30s`, `5m`, `1h`) and the SMP
/// configuration's `duration` (`1m30s`, `1.5h`, `500ms`). Units: `ns`, `us`/`µs`, `ms`, `s`,
/// `m`, `h`. A number without a unit, an unknown unit or a negative value is an error.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let input = s.trim();
    if input.is_empty() {
        return Err("empty duration".into());
    }
    if input.starts_with('-') {
        return Err(format!("duration {s:?} is negative"));
    }
    let mut rest = input.strip_prefix('+').unwrap_or(input);
    if rest == "0" {
        return Ok(Duration::ZERO);
    }
    let mut total = 0f64;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let num = &rest[..num_len];
        if num.is_empty() || num == "." || num.matches('.').count() > 1 {
            return Err(format!("invalid duration {s:?}"));
        }
        let value: f64 = num.parse().map_err(|_| format!("invalid duration {s:?}"))?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let unit = &rest[..unit_len];
        let scale = match unit {
            "ns" => 1e-9,
            "us" | "µs" | "μs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            "" => return Err(format!("missing unit in duration {s:?} (use h, m or s)")),
            other => return Err(format!("unknown unit {other:?} in duration {s:?}")),
        };
        total += value * scale;
        rest = &rest[unit_len..];
    }
    Duration::try_from_secs_f64(total).map_err(|_| format!("duration {s:?} out of range"))
}

/// Formats a duration as Go's `time.Duration.String()` does (`2s`, `1m30s`, `1h0m0s`,
/// `500ms`, `1.5µs`), which is how Fortio writes `RequestedDuration`.
pub fn go_duration_string(d: Duration) -> String {
    let nanos = d.as_nanos();
    if nanos == 0 {
        return "0s".into();
    }
    if nanos < 1_000_000_000 {
        let (unit, div) = if nanos < 1_000 {
            ("ns", 1)
        } else if nanos < 1_000_000 {
            ("µs", 1_000)
        } else {
            ("ms", 1_000_000)
        };
        return format!("{}{unit}", fraction(nanos, div));
    }
    let secs = nanos / 1_000_000_000;
    let sub = nanos % 1_000_000_000;
    let (h, m, s) = (secs / 3600, (secs / 60) % 60, secs % 60);
    let s = fraction(s * 1_000_000_000 + sub, 1_000_000_000);
    if h > 0 {
        format!("{h}h{m}m{s}s")
    } else if m > 0 {
        format!("{m}m{s}s")
    } else {
        format!("{s}s")
    }
}

/// `value / div` with the fractional digits Go prints (trailing zeros trimmed).
fn fraction(value: u128, div: u128) -> String {
    let whole = value / div;
    let frac = value % div;
    if frac == 0 {
        return whole.to_string();
    }
    let width = div.ilog10() as usize;
    let digits = format!("{frac:0width$}");
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

/// Checks a spec before it runs; the message is meant for a 400 answer.
pub fn validate(spec: &LoadSpec, limits: &Limits) -> Result<(), String> {
    let url = Url::parse(&spec.url).map_err(|e| format!("url {:?} is invalid: {e}", spec.url))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "url {:?} must be absolute http:// or https://",
            spec.url
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("url {:?} has no host", spec.url));
    }
    reqwest::Method::from_bytes(spec.method.as_bytes())
        .map_err(|_| format!("method {:?} is invalid", spec.method))?;
    if !spec.qps.is_finite() || spec.qps < 0.0 {
        return Err(format!(
            "qps must be a number >= 0 (0 = as fast as possible), got {}",
            spec.qps
        ));
    }
    if spec.connections < 1 {
        return Err("c (connections) must be at least 1".into());
    }
    if spec.connections > limits.max_connections {
        return Err(format!(
            "c (connections) is {}, the limit is {}",
            spec.connections, limits.max_connections
        ));
    }
    if spec.duration.is_zero() {
        return Err("duration must be positive".into());
    }
    if spec.duration > limits.max_duration {
        return Err(format!(
            "duration {} exceeds the limit of {}",
            go_duration_string(spec.duration),
            go_duration_string(limits.max_duration)
        ));
    }
    if spec.timeout.is_zero() {
        return Err("timeout must be positive".into());
    }
    for (name, value) in &spec.headers {
        HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| format!("header name {name:?} is invalid"))?;
        HeaderValue::from_str(value)
            .map_err(|_| format!("header {name:?} has an invalid value"))?;
    }
    for (name, value) in &spec.cookies {
        if name.is_empty() || name.contains(['=', ';', ' ']) || value.contains([';', '\r', '\n']) {
            return Err(format!("cookie {name:?} is invalid"));
        }
    }
    if let Some(ct) = &spec.content_type {
        HeaderValue::from_str(ct).map_err(|_| format!("content type {ct:?} is invalid"))?;
    }
    Ok(())
}
