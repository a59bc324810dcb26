//! The load generator behind the performance-testing feature (issue 4): Meshery's "run a load
//! test against an endpoint", in-process and in Rust.
//!
//! - [`LoadSpec`] says what to send, how fast, over how many connections and for how long;
//!   [`validate`] checks it against the server's [`Limits`] (for a 400 before anything runs);
//!   [`parse_duration`] reads Meshery's `dur` and the SMP `duration` strings.
//! - [`run`] sends the load: `c` connections, each a tokio task with its own keep-alive TCP
//!   connection speaking HTTP/1.1 or HTTP/2 ([`HttpVersion`]: h2c with prior knowledge on
//!   `http://`, ALPN on `https://`; plain `http://` HTTP/1.1 is written by hand on the socket,
//!   everything else goes through hyper's client); with `qps > 0` request `i` is due at `start + i / qps` and
//!   its latency is measured from that time (no coordinated omission); with `qps = 0`
//!   connections send back to back. It reports [`Progress`] about once per second and can be
//!   cancelled.
//! - [`RunResult`] is the result in Fortio's JSON shape (what Meshery stores as
//!   `runnerResults`), latencies in an HDR histogram; [`RunResult::smp`] gives the SMP summary.
//!
//! Not here yet: custom CA certificates (only the system roots, or none with
//! `accept_invalid_certs`), the endpoints, storage and events around a run.
//!
//! `src/bin/loadgen.rs` runs it from the command line; `bench/loadgen-vs-wrk.sh` compares it
//! with wrk.

mod config;
mod engine;
mod h1;
mod histogram;
mod result;
mod transport;

#[cfg(test)]
mod tests;

pub use config::{HttpVersion, Limits, LoadSpec, go_duration_string, parse_duration, validate};
pub use engine::{Progress, intended_offset, run};
pub use histogram::{Bucket, HistogramData, PERCENTILES, Percentile, Recorder};
pub use result::{LatenciesMs, RunResult, SmpSummary};
