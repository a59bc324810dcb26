//! The result of a run in Fortio's JSON shape ([`RunResult`], what Meshery stores as
//! `runnerResults`) and its SMP summary ([`SmpSummary`]).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::histogram::HistogramData;

/// Fortio's `HTTPRunnerResults` (the fields Meshery and its UI read), PascalCase as Fortio
/// writes them. Durations in histograms are in seconds; `ActualDuration` and `HTTPReqTimeOut`
/// are nanoseconds (Go's `time.Duration` JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RunResult {
    /// Always `"HTTP"`.
    pub run_type: String,
    pub labels: String,
    /// RFC 3339, when the first request was scheduled.
    pub start_time: DateTime<Utc>,
    /// `"max"` for qps = 0, otherwise the number (`"200"`, `"12.5"`).
    #[serde(rename = "RequestedQPS")]
    pub requested_qps: String,
    /// Go duration string (`"2s"`, `"1m0s"`).
    pub requested_duration: String,
    #[serde(rename = "ActualQPS")]
    pub actual_qps: f64,
    /// Nanoseconds, from the start until the last response (or cancellation).
    pub actual_duration: u64,
    /// The number of connections (Fortio's `-c`).
    pub num_threads: usize,
    pub version: String,
    /// Latencies in seconds, measured from the intended send time when paced.
    pub duration_histogram: HistogramData,
    /// Fortio's `-n`; always 0 (runs are time-bound).
    pub exactly: u64,
    pub jitter: bool,
    pub uniform: bool,
    pub no_catch_up: bool,
    /// Status code → count; `"-1"` counts transport errors (connect, timeout, reset), as Fortio.
    pub ret_codes: BTreeMap<String, u64>,
    /// Full response sizes in bytes (estimated header bytes + body bytes).
    pub sizes: HistogramData,
    /// Estimated response header bytes (status line + `name: value\r\n` lines).
    pub header_sizes: HistogramData,
    #[serde(rename = "URL")]
    pub url: String,
    /// Connections configured. The sockets actually opened are not counted yet (the transport
    /// could: `Link::send` opens them); a reconnect after an error is not reflected.
    pub socket_count: usize,
    #[serde(rename = "HTTPReqTimeOut")]
    pub http_req_timeout: u64,
    /// Fortio's `-abort-on`; always 0 (never abort on a status code).
    pub abort_on: i32,
    /// Whether the run was cancelled before its duration (not a Fortio field).
    #[serde(default)]
    pub cancelled: bool,
    /// The HTTP version(s) the responses came in, as Go writes `Response.Proto` (`"HTTP/1.1"`,
    /// `"HTTP/2.0"`); empty when no response arrived. Not a Fortio field (Fortio readers
    /// ignore unknown keys); it tells an `https://` run which protocol ALPN chose.
    #[serde(default)]
    pub protocol: String,
}

/// The SMP (service-mesh-performance) view of a result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SmpSummary {
    pub start_time: DateTime<Utc>,
    pub end_time: DateTime<Utc>,
    /// In milliseconds, as the name says. (Meshery's `ConvertToSpec` copies Fortio's seconds
    /// into these fields unchanged; a consumer expecting that must divide by 1000.)
    pub latencies_ms: LatenciesMs,
    pub actual_qps: f64,
    pub requests: u64,
    /// Transport errors plus responses with status >= 400.
    pub errors: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LatenciesMs {
    pub min: f64,
    pub average: f64,
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub max: f64,
}

impl RunResult {
    /// All requests that completed or failed.
    pub fn requests(&self) -> u64 {
        self.ret_codes.values().sum()
    }

    /// Transport errors (code -1) plus responses with status >= 400.
    pub fn errors(&self) -> u64 {
        self.ret_codes
            .iter()
            .filter(|(code, _)| code.parse::<i32>().is_ok_and(is_error_code))
            .map(|(_, n)| n)
            .sum()
    }

    /// The count for one status code (`-1` for transport errors).
    pub fn code_count(&self, code: i32) -> u64 {
        self.ret_codes.get(&code.to_string()).copied().unwrap_or(0)
    }

    pub fn smp(&self) -> SmpSummary {
        let h = &self.duration_histogram;
        let ms = |s: f64| s * 1000.0;
        let pct = |p: f64| ms(h.percentile(p).unwrap_or(0.0));
        let end_time = self.start_time
            + chrono::Duration::nanoseconds(
                i64::try_from(self.actual_duration).unwrap_or(i64::MAX),
            );
        SmpSummary {
            start_time: self.start_time,
            end_time,
            latencies_ms: LatenciesMs {
                min: ms(h.min),
                average: ms(h.avg),
                p50: pct(50.0),
                p90: pct(90.0),
                p99: pct(99.0),
                max: ms(h.max),
            },
            actual_qps: self.actual_qps,
            requests: self.requests(),
            errors: self.errors(),
        }
    }
}

/// Code -1 (transport error) and HTTP statuses >= 400 count as errors.
pub(crate) fn is_error_code(code: i32) -> bool {
    !(0..400).contains(&code)
}

/// Fortio's `RequestedQPS`: `"max"` for 0.
pub(crate) fn requested_qps_string(qps: f64) -> String {
    if qps <= 0.0 {
        "max".into()
    } else if qps.fract() == 0.0 && qps < 1e15 {
        format!("{}", qps as u64)
    } else {
        format!("{qps}")
    }
}
