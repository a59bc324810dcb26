//! The load generator: `c` connections, each a tokio task with its own client (one TCP
//! connection, HTTP/1.1 or HTTP/2), paced on an absolute schedule without coordinated
//! omission.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use std::pin::Pin;

use hyper::Version;
use tokio::time::{Instant, MissedTickBehavior, Sleep};

use super::config::{LoadSpec, go_duration_string};
use super::histogram::Recorder;
use super::result::{RunResult, is_error_code, requested_qps_string};
use super::transport::{Connection, Failed, Target};

/// A snapshot reported while a test runs: about once per second, and once more at the end
/// (where `current_qps` is the rate over the whole run).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    pub elapsed: Duration,
    /// Requests completed (responses and transport errors).
    pub requests: u64,
    /// Transport errors plus responses with status >= 400.
    pub errors: u64,
    /// Completed requests per second over the last interval.
    pub current_qps: f64,
}

/// When request `i` (counted over all connections) is due, relative to the start: `i / qps`.
/// Connection `k` of `c` sends requests `k, k + c, k + 2c, …`.
pub fn intended_offset(i: u64, qps: f64) -> Duration {
    Duration::from_secs_f64(i as f64 / qps)
}

/// Runs a load test to the end of its duration, or until `cancel` completes (then the
/// requests in flight are abandoned and the result covers what completed).
///
/// With `qps > 0`, request `i` is due at `start + i / qps`; a connection that falls behind
/// sends its overdue requests back to back, and each latency is measured from the time the
/// request was due, so a stalled target shows up in the latencies instead of lowering the
/// rate silently (wrk2's and Fortio's correction for coordinated omission). No request is
/// started after the duration; the ones in flight are awaited (bounded by `spec.timeout`).
/// With `qps = 0` every connection sends back to back and latency is measured from the send.
///
/// The spec should have passed [`super::validate`]; an unusable URL, method or header is an
/// error here too, before anything is sent.
pub async fn run<P, C>(spec: LoadSpec, progress: P, cancel: C) -> Result<RunResult, String>
where
    P: Fn(Progress) + Send + Sync + 'static,
    C: Future<Output = ()> + Send,
{
    let target = Arc::new(Target::new(&spec)?);
    let c = spec.connections.max(1);
    let shard_count = c.min(16);
    let shared = Arc::new(Shared {
        requests: AtomicU64::new(0),
        errors: AtomicU64::new(0),
        versions: AtomicU8::new(0),
        shards: (0..shard_count).map(|_| Mutex::new(Shard::new())).collect(),
    });

    let start_wall = chrono::Utc::now();
    let start = Instant::now();
    let end = start + spec.duration;
    let handles: Vec<_> = (0..c)
        .map(|k| {
            let worker = Worker {
                k: k as u64,
                c: c as u64,
                qps: spec.qps,
                start,
                end,
                link: Link {
                    target: Arc::clone(&target),
                    conn: None,
                    timeout: spec.timeout,
                    deadline: Box::pin(tokio::time::sleep_until(end)),
                },
                shared: Arc::clone(&shared),
                shard: k % shard_count,
                batch: Batch::default(),
                versions: 0,
            };
            tokio::spawn(worker.run())
        })
        .collect();
    // Cancelling aborts the workers: a worker's requests in flight are dropped, and what it
    // completed is flushed to its shard when it is dropped (`Drop for Worker`).
    let aborts: Vec<_> = handles.iter().map(|h| h.abort_handle()).collect();

    let joined = futures::future::join_all(handles);
    let mut joined = std::pin::pin!(joined);
    let mut cancel = std::pin::pin!(cancel);
    let mut cancelled = false;
    let mut ticker =
        tokio::time::interval_at(start + Duration::from_secs(1), Duration::from_secs(1));
    ticker.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let (mut last_at, mut last_requests) = (start, 0u64);
    let mut report = |now: Instant, last: bool| {
        let requests = shared.requests.load(Ordering::Relaxed);
        // The final report covers the whole run: its own interval may be a few milliseconds.
        let since = if last { start } else { last_at };
        let interval = now.saturating_duration_since(since).as_secs_f64();
        let done = if last {
            requests
        } else {
            requests.saturating_sub(last_requests)
        };
        let current_qps = if interval > 0.0 {
            done as f64 / interval
        } else {
            0.0
        };
        progress(Progress {
            elapsed: now.saturating_duration_since(start),
            requests,
            errors: shared.errors.load(Ordering::Relaxed),
            current_qps,
        });
        (last_at, last_requests) = (now, requests);
    };
    loop {
        tokio::select! {
            biased;
            _ = &mut joined => break,
            () = &mut cancel, if !cancelled => {
                cancelled = true;
                aborts.iter().for_each(tokio::task::AbortHandle::abort);
            }
            _ = ticker.tick() => report(Instant::now(), false),
        }
    }
    let finished = Instant::now();
    report(finished, true);
    let actual = finished.saturating_duration_since(start);

    let mut total = Shard::new();
    for shard in &shared.shards {
        total.merge(&lock(shard));
    }
    let requests = total.latency.count();
    let actual_secs = actual.as_secs_f64();
    Ok(RunResult {
        run_type: "HTTP".into(),
        labels: spec.labels.clone(),
        start_time: start_wall,
        requested_qps: requested_qps_string(spec.qps),
        requested_duration: go_duration_string(spec.duration),
        actual_qps: if actual_secs > 0.0 {
            requests as f64 / actual_secs
        } else {
            0.0
        },
        actual_duration: u64::try_from(actual.as_nanos()).unwrap_or(u64::MAX),
        num_threads: c,
        version: concat!("meshery-server/", env!("CARGO_PKG_VERSION")).into(),
        duration_histogram: total.latency.export(1e-6),
        exactly: 0,
        jitter: false,
        uniform: false,
        no_catch_up: false,
        ret_codes: total
            .codes
            .iter()
            .map(|(code, n)| (code.to_string(), *n))
            .collect(),
        sizes: total.sizes.export(1.0),
        header_sizes: total.header_sizes.export(1.0),
        url: spec.url.clone(),
        socket_count: c,
        http_req_timeout: u64::try_from(spec.timeout.as_nanos()).unwrap_or(u64::MAX),
        abort_on: 0,
        cancelled,
        protocol: protocol_string(shared.versions.load(Ordering::Relaxed)),
    })
}

/// The bit [`Shared::versions`] keeps for a response's HTTP version.
fn version_bit(version: Version) -> u8 {
    match version {
        Version::HTTP_09 => 1,
        Version::HTTP_10 => 2,
        Version::HTTP_11 => 4,
        Version::HTTP_2 => 8,
        Version::HTTP_3 => 16,
        _ => 0,
    }
}

/// The result's `Protocol`: the versions responses came in (`"HTTP/1.1"`, `"HTTP/2.0"`, as Go
/// writes `Response.Proto`), comma-separated in the unusual case of several; empty when no
/// response arrived.
fn protocol_string(bits: u8) -> String {
    [
        Version::HTTP_09,
        Version::HTTP_10,
        Version::HTTP_11,
        Version::HTTP_2,
        Version::HTTP_3,
    ]
    .into_iter()
    .filter(|&v| bits & version_bit(v) != 0)
    .map(|v| format!("{v:?}"))
    .collect::<Vec<_>>()
    .join(", ")
}

struct Shared {
    requests: AtomicU64,
    errors: AtomicU64,
    /// The HTTP versions responses came in, one bit each ([`version_bit`]).
    versions: AtomicU8,
    /// Recorders shared by groups of connections (connection k uses shard k % 16), which
    /// bounds memory for large `c` and keeps lock contention low.
    shards: Vec<Mutex<Shard>>,
}

fn lock(m: &Mutex<Shard>) -> MutexGuard<'_, Shard> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

struct Shard {
    latency: Recorder,
    sizes: Recorder,
    header_sizes: Recorder,
    codes: BTreeMap<i32, u64>,
}

impl Shard {
    fn new() -> Self {
        Shard {
            latency: Recorder::latency_us(),
            sizes: Recorder::bytes(),
            header_sizes: Recorder::bytes(),
            codes: BTreeMap::new(),
        }
    }

    fn merge(&mut self, other: &Shard) {
        self.latency.merge(&other.latency);
        self.sizes.merge(&other.sizes);
        self.header_sizes.merge(&other.header_sizes);
        for (code, n) in &other.codes {
            *self.codes.entry(*code).or_default() += n;
        }
    }
}

/// What one request gave: the status code (-1 for a transport error), sizes and the HTTP
/// version of the response (none for a transport error).
struct Outcome {
    code: i32,
    size: u64,
    header_size: u64,
    version: Option<Version>,
}

struct Worker {
    k: u64,
    c: u64,
    qps: f64,
    start: Instant,
    end: Instant,
    link: Link,
    shared: Arc<Shared>,
    shard: usize,
    /// Outcomes not yet in the shard.
    batch: Batch,
    /// The bits of [`Shared::versions`] this worker has set already.
    versions: u8,
}

/// How many outcomes a worker keeps before it takes its shard's lock to record them.
const BATCH: usize = 64;

/// Outcomes recorded by a worker but not yet in its shard: the latencies, and the codes and
/// sizes as runs of equal values (sizes rarely change from one response to the next, so most
/// batches have one run, recorded into each histogram at once).
#[derive(Default)]
struct Batch {
    latencies: Vec<u64>,
    /// (code, size, header size, count).
    runs: Vec<(i32, u64, u64, u64)>,
}

/// A worker's way to the target: its connection and its request timer.
struct Link {
    target: Arc<Target>,
    /// Opened on the first request, and again after an error or a close by the server.
    conn: Option<Connection>,
    /// Per-request timeout (connect + response + body), and its timer (see [`Link::send`]).
    timeout: Duration,
    deadline: Pin<Box<Sleep>>,
}

impl Worker {
    async fn run(mut self) {
        self.batch.latencies.reserve_exact(BATCH);
        let mut j: u64 = 0;
        loop {
            let due = if self.qps > 0.0 {
                let at = self.start + intended_offset(self.k + j * self.c, self.qps);
                if at >= self.end {
                    break;
                }
                Some(at)
            } else {
                None
            };
            if let Some(at) = due {
                tokio::time::sleep_until(at).await;
            }
            let sent = Instant::now();
            if sent >= self.end {
                break;
            }
            let outcome = self.link.send(sent).await;
            let latency = Instant::now().saturating_duration_since(due.unwrap_or(sent));
            self.record(latency, &outcome);
            j += 1;
        }
    }

    fn record(&mut self, latency: Duration, outcome: &Outcome) {
        let batch = &mut self.batch;
        batch
            .latencies
            .push(u64::try_from(latency.as_micros()).unwrap_or(u64::MAX));
        match batch.runs.last_mut() {
            Some((code, size, header_size, n))
                if (*code, *size, *header_size)
                    == (outcome.code, outcome.size, outcome.header_size) =>
            {
                *n += 1;
            }
            _ => batch
                .runs
                .push((outcome.code, outcome.size, outcome.header_size, 1)),
        }
        if batch.latencies.len() >= BATCH {
            self.flush();
        }
        if let Some(v) = outcome.version {
            let bit = version_bit(v);
            if self.versions & bit == 0 {
                self.versions |= bit;
                self.shared.versions.fetch_or(bit, Ordering::Relaxed);
            }
        }
        if is_error_code(outcome.code) {
            self.shared.errors.fetch_add(1, Ordering::Relaxed);
        }
        self.shared.requests.fetch_add(1, Ordering::Relaxed);
    }

    /// Moves the batch into the shard.
    fn flush(&mut self) {
        if self.batch.latencies.is_empty() {
            return;
        }
        let mut shard = lock(&self.shared.shards[self.shard]);
        for &us in &self.batch.latencies {
            shard.latency.record(us);
        }
        for &(code, size, header_size, n) in &self.batch.runs {
            *shard.codes.entry(code).or_default() += n;
            if code >= 0 {
                shard.sizes.record_n(size, n);
                shard.header_sizes.record_n(header_size, n);
            }
        }
        self.batch.latencies.clear();
        self.batch.runs.clear();
    }
}

/// A worker ends at the end of the run or is dropped when the run is cancelled; either way
/// what it recorded goes to its shard.
impl Drop for Worker {
    fn drop(&mut self) {
        self.flush();
    }
}

const ERROR: Outcome = Outcome {
    code: -1,
    size: 0,
    header_size: 0,
    version: None,
};

impl Link {
    /// One request on this worker's connection (opened first if needed), bounded by the
    /// timeout. After an error or a timeout the connection is dropped; the next request opens
    /// a new one.
    async fn send(&mut self, now: Instant) -> Outcome {
        let deadline = now + self.timeout;
        // The timer is re-armed only when it would fire too late for this request; when it
        // fires early (at an earlier request's deadline) it is moved to this one. So a run of
        // fast requests re-arms it about once per timeout, not once per request.
        if self.deadline.deadline() > deadline {
            self.deadline.as_mut().reset(deadline);
        }
        let target = &*self.target;
        let slot = &mut self.conn;
        let response = {
            let attempt = std::pin::pin!(async {
                if slot.as_mut().is_some_and(|conn| !conn.is_open()) {
                    *slot = None;
                }
                if slot.is_none() {
                    *slot = Some(target.connect().await?);
                }
                let conn = slot.as_mut().ok_or(Failed)?;
                target.exchange(conn).await
            });
            let mut attempt = attempt;
            loop {
                tokio::select! {
                    biased;
                    r = &mut attempt => break r.ok(),
                    () = self.deadline.as_mut() => {
                        if Instant::now() >= deadline {
                            break None;
                        }
                        self.deadline.as_mut().reset(deadline);
                    }
                }
            }
        };
        let Some(response) = response else {
            self.conn = None;
            return ERROR;
        };
        Outcome {
            code: i32::from(response.code),
            size: (response.header_size + response.body_len) as u64,
            header_size: response.header_size as u64,
            version: Some(response.version),
        }
    }
}
