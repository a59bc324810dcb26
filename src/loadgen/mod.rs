//! The load generator behind the performance-testing feature (issue 4): Meshery's "run a load
//! test against an endpoint", in-process and in Rust.
//!
//! - [`LoadSpec`] says what to send, how fast, over how many connections and for how long;
//!   [`validate`] checks it against the server's [`Limits`] (for a 400 before anything runs);
//!   [`parse_duration`] reads Meshery's `dur` and the SMP `duration` strings.
//! - [`run`] sends the load: `c` connections, each a tokio task with its own keep-alive
//!   HTTP/1.1 connection; with `qps > 0` request `i` is due at `start + i / qps` and its latency
//!   is measured from that time (no coordinated omission); with `qps = 0` connections send back
//!   to back. It reports [`Progress`] about once per second and can be cancelled.
//! - [`RunResult`] is the result in Fortio's JSON shape (what Meshery stores as
//!   `runnerResults`), latencies in an HDR histogram; [`RunResult::smp`] gives the SMP summary.
//!
//! Not here yet: HTTP/2 (reqwest's `http2` feature is off), custom CA certificates, the
//! endpoints, storage and events around a run.

mod config;
mod engine;
mod histogram;
mod result;

#[cfg(test)]
mod tests;

pub use config::{HttpVersion, Limits, LoadSpec, go_duration_string, parse_duration, validate};
pub use engine::{Progress, intended_offset, run};
pub use histogram::{Bucket, HistogramData, PERCENTILES, Percentile, Recorder};
pub use result::{LatenciesMs, RunResult, SmpSummary};
