//! Unit tests for the checks and the result shape, and end-to-end runs against a target
//! server started here on 127.0.0.1:0 (poem, which serves HTTP/1.1 and h2c on one port), with
//! known delays and status codes, and against an HTTPS target (hyper over native-tls with a
//! self-signed certificate from `testdata/`).
//!
//! The end-to-end runs are serialised (one at a time) so that their timings do not depend on
//! each other on a small machine; no test sleeps except for the load duration itself.

use std::collections::HashSet;
use std::convert::Infallible;
use std::future::pending;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http_body_util::Full;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use poem::http::{StatusCode, Version};
use poem::listener::{Acceptor, Listener, TcpListener};
use poem::web::{Data, Path, RemoteAddr};
use poem::{EndpointExt, Request, Route, get, handler, post};

use super::*;

/// End-to-end runs take this lock so that they never overlap.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

#[derive(Default)]
struct TargetState {
    /// Set by the first `/stall-once` request.
    stalled: AtomicBool,
    /// How many requests were answered slowly by `/stall-once`.
    slow_answers: AtomicU64,
    /// Client addresses seen by `/delay` and `/version` (one per connection).
    peers: Mutex<HashSet<String>>,
    /// Requests to `/version` by HTTP version.
    versions: VersionCounts,
}

/// Requests a target received, by HTTP version.
#[derive(Default)]
struct VersionCounts {
    http1: AtomicU64,
    http2: AtomicU64,
    other: AtomicU64,
}

impl VersionCounts {
    fn count(&self, version: Version) {
        let counter = match version {
            Version::HTTP_11 => &self.http1,
            Version::HTTP_2 => &self.http2,
            _ => &self.other,
        };
        counter.fetch_add(1, Ordering::SeqCst);
    }

    /// (HTTP/1.1, HTTP/2, other) requests so far.
    fn get(&self) -> (u64, u64, u64) {
        (
            self.http1.load(Ordering::SeqCst),
            self.http2.load(Ordering::SeqCst),
            self.other.load(Ordering::SeqCst),
        )
    }
}

#[handler]
async fn delay(
    Path(ms): Path<u64>,
    remote: &RemoteAddr,
    Data(state): Data<&Arc<TargetState>>,
) -> &'static str {
    state.peers.lock().unwrap().insert(remote.to_string());
    if ms > 0 {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    "ok"
}

/// Counts the request by HTTP version and its connection.
#[handler]
fn by_version(
    req: &Request,
    remote: &RemoteAddr,
    Data(state): Data<&Arc<TargetState>>,
) -> &'static str {
    state.peers.lock().unwrap().insert(remote.to_string());
    state.versions.count(req.version());
    "ok"
}

#[handler]
fn status(Path(code): Path<u16>) -> StatusCode {
    StatusCode::from_u16(code).unwrap()
}

/// Answers the first request after 500 ms, every other one at once.
#[handler]
async fn stall_once(Data(state): Data<&Arc<TargetState>>) -> &'static str {
    if !state.stalled.swap(true, Ordering::SeqCst) {
        state.slow_answers.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    "ok"
}

/// 200 only if the request carries the header, cookies, content type and body of `echo_spec`.
#[handler]
fn check(req: &Request, body: Vec<u8>) -> StatusCode {
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    let ok = header("x-test") == Some("yes")
        && header("cookie") == Some("a=1; b=2")
        && header("content-type") == Some("text/plain")
        && body == b"hello";
    if ok {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    }
}

/// Starts a fresh target server; returns its base URL and state.
async fn target() -> (String, Arc<TargetState>) {
    let state = Arc::new(TargetState::default());
    let acceptor = TcpListener::bind("127.0.0.1:0")
        .into_acceptor()
        .await
        .unwrap();
    let addr = *acceptor.local_addr()[0].as_socket_addr().unwrap();
    let app = Route::new()
        .at("/delay/:ms", get(delay))
        .at("/status/:code", get(status))
        .at("/stall-once", get(stall_once))
        .at("/check", post(check))
        .at("/version", get(by_version))
        .data(Arc::clone(&state));
    tokio::spawn(poem::Server::new_with_acceptor(acceptor).run(app));
    (format!("http://{addr}"), state)
}

fn spec(url: String, qps: f64, connections: usize, duration: Duration) -> LoadSpec {
    LoadSpec {
        qps,
        connections,
        threads: connections,
        duration,
        ..LoadSpec::new(url)
    }
}

/// Runs without progress reporting or cancellation.
async fn run_plain(spec: LoadSpec) -> RunResult {
    run(spec, |_| {}, pending()).await.unwrap()
}

fn ms(seconds: f64) -> f64 {
    seconds * 1000.0
}

// ---- end-to-end ----

/// 200 req/s over 4 connections for 2 s against a 10 ms target: 400 ± 5% requests, p50 close
/// to the delay, one keep-alive connection per worker, progress reported.
///
/// The delay is 10 ms, not 20: at 200 req/s over 4 connections each connection has 20 ms per
/// request, so a 20 ms target (plus the timer's rounding up to the next millisecond) would
/// saturate every connection and the run could not hold the rate by construction.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_is_held_and_p50_is_near_the_delay() {
    let _serial = SERIAL.lock().await;
    let (base, state) = target().await;
    let reports = Arc::new(Mutex::new(Vec::<Progress>::new()));
    let sink = Arc::clone(&reports);
    let result = run(
        spec(format!("{base}/delay/10"), 200.0, 4, Duration::from_secs(2)),
        move |p| sink.lock().unwrap().push(p),
        pending(),
    )
    .await
    .unwrap();

    let requests = result.requests();
    let p50 = ms(result.duration_histogram.percentile(50.0).unwrap());
    let actual = Duration::from_nanos(result.actual_duration);
    eprintln!(
        "rate: {requests} requests (expected 400), ActualQPS {:.1}, ActualDuration {actual:?}, \
         p50 {p50:.2} ms (delay 10 ms), p99 {:.2} ms, max {:.2} ms",
        result.actual_qps,
        ms(result.duration_histogram.percentile(99.0).unwrap()),
        ms(result.duration_histogram.max),
    );
    assert!((380..=420).contains(&requests), "{requests} requests");
    assert_eq!(result.code_count(200), requests);
    assert_eq!(result.errors(), 0);
    assert!((10.0..=30.0).contains(&p50), "p50 {p50} ms");
    assert!(
        actual >= Duration::from_millis(1990) && actual < Duration::from_secs(3),
        "{actual:?}"
    );
    assert!(
        (180.0..=220.0).contains(&result.actual_qps),
        "{}",
        result.actual_qps
    );
    assert_eq!(result.requested_qps, "200");
    assert_eq!(result.requested_duration, "2s");
    assert_eq!(result.num_threads, 4);
    assert_eq!(result.duration_histogram.count, requests);
    assert_eq!(result.sizes.count, requests);
    assert!(result.sizes.min >= 2.0, "body \"ok\" plus headers");
    assert_eq!(
        state.peers.lock().unwrap().len(),
        4,
        "one keep-alive connection per worker"
    );

    let reports = reports.lock().unwrap();
    eprintln!("progress: {reports:?}");
    assert!(reports.len() >= 2, "a report after 1 s and a final one");
    let first = reports[0];
    assert!(first.requests > 0 && first.current_qps > 100.0, "{first:?}");
    let last = reports.last().unwrap();
    assert_eq!(last.requests, requests);
    assert_eq!(last.errors, 0);
}

/// A target that stalls 500 ms once, at 50 req/s on one connection: the requests queued
/// behind the stall carry the waiting time in their latency (measured from when they were
/// due), although the server answered only one request slowly. A loop measuring from the
/// actual send would report one slow request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stall_shows_in_the_latencies_of_the_queued_requests() {
    let _serial = SERIAL.lock().await;
    let (base, state) = target().await;
    let result = run_plain(spec(
        format!("{base}/stall-once"),
        50.0,
        1,
        Duration::from_secs(2),
    ))
    .await;
    let h = &result.duration_histogram;
    let over_300ms = h.count_at_least(0.3);
    eprintln!(
        "stall: {} requests, {over_300ms} with latency >= 300 ms (expected ~11), p50 {:.2} ms, \
         p99 {:.2} ms, max {:.2} ms, slow answers at the server: {}",
        result.requests(),
        ms(h.percentile(50.0).unwrap()),
        ms(h.percentile(99.0).unwrap()),
        ms(h.max),
        state.slow_answers.load(Ordering::SeqCst)
    );
    assert_eq!(state.slow_answers.load(Ordering::SeqCst), 1);
    assert!(
        (95..=100).contains(&result.requests()),
        "{}",
        result.requests()
    );
    assert!(h.max >= 0.5, "max {}", h.max);
    assert!(
        over_300ms >= 8,
        "{over_300ms} requests over 300 ms: {:?}",
        h.data
    );
    assert!(h.percentile(99.0).unwrap() >= 0.3);
    assert!(
        h.percentile(50.0).unwrap() < 0.1,
        "the rest are fast once caught up"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_codes_and_transport_errors_are_counted() {
    let _serial = SERIAL.lock().await;
    let (base, _) = target().await;
    let result = run_plain(spec(
        format!("{base}/status/503"),
        20.0,
        2,
        Duration::from_secs(1),
    ))
    .await;
    let n = result.code_count(503);
    eprintln!("503: {:?}", result.ret_codes);
    assert!((15..=20).contains(&n), "{n}");
    assert_eq!(result.ret_codes.len(), 1, "{:?}", result.ret_codes);
    assert_eq!(result.errors(), n);
    assert_eq!(result.smp().errors, n);
    assert_eq!(result.smp().requests, n);

    // A port nobody listens on: connection refused on every request.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let result = run_plain(spec(
        format!("http://127.0.0.1:{port}/"),
        20.0,
        2,
        Duration::from_secs(1),
    ))
    .await;
    let n = result.code_count(-1);
    eprintln!("closed port: {:?}", result.ret_codes);
    assert!((15..=20).contains(&n), "{n}");
    assert_eq!(result.ret_codes.len(), 1, "{:?}", result.ret_codes);
    assert_eq!(result.errors(), n);
    assert_eq!(result.duration_histogram.count, n);
    assert_eq!(result.sizes.count, 0, "no response, no size");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn qps_zero_sends_as_fast_as_possible() {
    let _serial = SERIAL.lock().await;
    let (base, _) = target().await;
    let url = format!("{base}/delay/0");
    let paced = run_plain(spec(url.clone(), 50.0, 2, Duration::from_secs(1))).await;
    let max = run_plain(spec(url, 0.0, 2, Duration::from_secs(1))).await;
    eprintln!(
        "qps=0: {} requests ({:.0}/s, p50 {:.3} ms) vs qps=50: {} requests",
        max.requests(),
        max.actual_qps,
        ms(max.duration_histogram.percentile(50.0).unwrap()),
        paced.requests()
    );
    assert!(
        (45..=50).contains(&paced.requests()),
        "{}",
        paced.requests()
    );
    assert!(
        max.requests() > 4 * paced.requests(),
        "{} vs {}",
        max.requests(),
        paced.requests()
    );
    assert_eq!(max.requested_qps, "max");
    assert_eq!(max.errors(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headers_cookies_body_and_content_type_are_sent() {
    let _serial = SERIAL.lock().await;
    let (base, _) = target().await;
    let spec = LoadSpec {
        method: "POST".into(),
        headers: vec![("X-Test".into(), "yes".into())],
        cookies: vec![("a".into(), "1".into()), ("b".into(), "2".into())],
        body: Some(b"hello".to_vec()),
        content_type: Some("text/plain".into()),
        ..spec(format!("{base}/check"), 20.0, 1, Duration::from_millis(500))
    };
    let result = run_plain(spec).await;
    assert!(result.requests() >= 5, "{:?}", result.ret_codes);
    assert_eq!(
        result.code_count(200),
        result.requests(),
        "{:?}",
        result.ret_codes
    );
}

/// `Http2` on `http://` speaks HTTP/2 with prior knowledge (h2c) and `Http1` speaks HTTP/1.1:
/// the target sees every request in the asked version, as many as the result counts, over one
/// TCP connection per `c` (HTTP/2 does not fold the connections into one).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn h2c_is_spoken_when_asked_and_http1_otherwise() {
    let _serial = SERIAL.lock().await;
    for (asked, protocol) in [
        (HttpVersion::Http2, "HTTP/2.0"),
        (HttpVersion::Http1, "HTTP/1.1"),
    ] {
        let (base, state) = target().await;
        let result = run_plain(LoadSpec {
            http_version: asked,
            ..spec(format!("{base}/version"), 100.0, 2, Duration::from_secs(1))
        })
        .await;
        let (http1, http2, other) = state.versions.get();
        let requests = result.requests();
        eprintln!(
            "{asked:?}: {requests} requests, Protocol {:?}; target saw HTTP/1.1 {http1}, \
             HTTP/2 {http2}, other {other}; codes {:?}",
            result.protocol, result.ret_codes
        );
        assert!((95..=100).contains(&requests), "{asked:?}: {requests}");
        assert_eq!(result.code_count(200), requests, "{:?}", result.ret_codes);
        let expected = match asked {
            HttpVersion::Http1 => (requests, 0, 0),
            HttpVersion::Http2 => (0, requests, 0),
        };
        assert_eq!((http1, http2, other), expected, "{asked:?}");
        assert_eq!(result.protocol, protocol);
        assert_eq!(
            state.peers.lock().unwrap().len(),
            2,
            "{asked:?}: one TCP connection per worker"
        );
    }
}

/// An HTTPS target on 127.0.0.1:0 with the self-signed certificate in `testdata/`, offering
/// `alpn` (server preference order), serving whichever version the client then speaks.
async fn tls_target(alpn: &[&str]) -> (String, Arc<VersionCounts>) {
    let identity = native_tls::Identity::from_pkcs8(
        include_bytes!("testdata/localhost.crt"),
        include_bytes!("testdata/localhost.key"),
    )
    .unwrap();
    let acceptor = native_tls::TlsAcceptor::builder(identity)
        .accept_alpn(alpn)
        .build()
        .unwrap();
    let acceptor = tokio_native_tls::TlsAcceptor::from(acceptor);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let counts = Arc::new(VersionCounts::default());
    let server_counts = Arc::clone(&counts);
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            let counts = Arc::clone(&server_counts);
            tokio::spawn(async move {
                // A client that rejects the certificate ends the handshake: nothing to serve.
                let Ok(tls) = acceptor.accept(stream).await else {
                    return;
                };
                let service = service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                    counts.count(req.version());
                    async { Ok::<_, Infallible>(hyper::Response::new(Full::new(&b"ok"[..]))) }
                });
                let _ = auto::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(tls), service)
                    .await;
            });
        }
    });
    (format!("https://127.0.0.1:{}/", addr.port()), counts)
}

/// HTTPS works: `Http1` takes what ALPN negotiates (h2 when the target offers it, HTTP/1.1
/// when it offers only that), `Http2` speaks h2; the certificate is checked unless
/// `accept_invalid_certs` is set.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_follows_alpn_and_checks_certificates() {
    let _serial = SERIAL.lock().await;
    let cases = [
        (&["h2", "http/1.1"][..], HttpVersion::Http1, "HTTP/2.0"),
        (&["h2", "http/1.1"][..], HttpVersion::Http2, "HTTP/2.0"),
        (&["http/1.1"][..], HttpVersion::Http1, "HTTP/1.1"),
    ];
    for (alpn, asked, protocol) in cases {
        let (url, counts) = tls_target(alpn).await;
        let result = run_plain(LoadSpec {
            http_version: asked,
            accept_invalid_certs: true,
            ..spec(url, 50.0, 2, Duration::from_millis(500))
        })
        .await;
        let requests = result.requests();
        let (http1, http2, other) = counts.get();
        eprintln!(
            "https {alpn:?} {asked:?}: {requests} requests, Protocol {:?}; target saw \
             HTTP/1.1 {http1}, HTTP/2 {http2}; codes {:?}",
            result.protocol, result.ret_codes
        );
        assert!((23..=25).contains(&requests), "{requests}");
        assert_eq!(result.code_count(200), requests, "{:?}", result.ret_codes);
        assert_eq!(result.protocol, protocol, "{alpn:?} {asked:?}");
        let expected = if protocol == "HTTP/2.0" {
            (0, requests, 0)
        } else {
            (requests, 0, 0)
        };
        assert_eq!((http1, http2, other), expected, "{alpn:?} {asked:?}");
    }

    // The certificate is self-signed: without accept_invalid_certs every request fails.
    let (url, counts) = tls_target(&["h2", "http/1.1"]).await;
    let result = run_plain(spec(url, 20.0, 1, Duration::from_millis(500))).await;
    eprintln!("https, certificate checked: {:?}", result.ret_codes);
    assert!(result.requests() >= 5, "{:?}", result.ret_codes);
    assert_eq!(result.code_count(-1), result.requests());
    assert_eq!(result.protocol, "");
    assert_eq!(counts.get(), (0, 0, 0));
}

/// Cancelling (as the server does at shutdown) ends a 60 s run early with what completed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_ends_the_run_with_a_partial_result() {
    let _serial = SERIAL.lock().await;
    let (base, _) = target().await;
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let tx = Mutex::new(Some(tx));
    let result = run(
        spec(format!("{base}/delay/1"), 100.0, 2, Duration::from_secs(60)),
        move |_| {
            if let Some(tx) = tx.lock().unwrap().take() {
                let _ = tx.send(());
            }
        },
        async move {
            let _ = rx.await;
        },
    )
    .await
    .unwrap();
    let actual = Duration::from_nanos(result.actual_duration);
    assert!(result.cancelled);
    assert!(actual < Duration::from_secs(10), "{actual:?}");
    assert!(result.requests() > 0);
    assert_eq!(result.requested_duration, "1m0s");
}

// ---- the hand-written HTTP/1.1 path against scripted targets ----

/// What a [`raw_target`] saw.
#[derive(Default)]
struct RawSeen {
    connections: AtomicU64,
    requests: AtomicU64,
    /// Request lines (`GET / HTTP/1.1`), each once.
    lines: Mutex<HashSet<String>>,
}

/// How a [`raw_target`] answers a request, given its request line.
type Answer = fn(&str) -> Vec<u8>;

/// A target written on a bare `TcpListener`: it reads each request head and writes
/// `answer(request line)` in 7-byte pieces (so that the client sees heads, chunk sizes and
/// bodies split across reads); with `close` it then closes the connection. Requests must not
/// have bodies.
async fn raw_target(answer: Answer, close: bool) -> (String, Arc<RawSeen>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(RawSeen::default());
    let server_seen = Arc::clone(&seen);
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            stream.set_nodelay(true).unwrap();
            let seen = Arc::clone(&server_seen);
            seen.connections.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                loop {
                    let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
                        match stream.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                        continue;
                    };
                    let head = String::from_utf8_lossy(&buf[..end]).into_owned();
                    buf.drain(..end + 4);
                    let line = head.lines().next().unwrap_or_default().to_string();
                    seen.requests.fetch_add(1, Ordering::SeqCst);
                    seen.lines.lock().unwrap().insert(line.clone());
                    for piece in answer(&line).chunks(7) {
                        if stream.write_all(piece).await.is_err() {
                            return;
                        }
                    }
                    if close {
                        let _ = stream.shutdown().await;
                        return;
                    }
                }
            });
        }
    });
    (format!("http://{addr}/"), seen)
}

/// 20 req/s over 2 connections for 1 s against a raw target; a request that hangs fails the
/// run after 20 s instead of the usual 3 (so a hang shows as a long run, not as errors).
async fn run_raw(url: String, method: &str) -> RunResult {
    run_plain(LoadSpec {
        method: method.into(),
        timeout: Duration::from_secs(20),
        ..spec(url, 20.0, 2, Duration::from_secs(1))
    })
    .await
}

/// Asserts a run of [`run_raw`] got only 200s, as many as the target answered, in time.
fn assert_all_ok(what: &str, result: &RunResult, seen: &RawSeen) {
    let requests = result.requests();
    eprintln!(
        "{what}: {requests} requests, codes {:?}, sizes {}..{}, header sizes {}..{}, \
         {} connections",
        result.ret_codes,
        result.sizes.min,
        result.sizes.max,
        result.header_sizes.min,
        result.header_sizes.max,
        seen.connections.load(Ordering::SeqCst)
    );
    assert!((18..=20).contains(&requests), "{what}: {requests}");
    assert_eq!(
        result.code_count(200),
        requests,
        "{what}: {:?}",
        result.ret_codes
    );
    assert_eq!(seen.requests.load(Ordering::SeqCst), requests, "{what}");
    assert!(
        Duration::from_nanos(result.actual_duration) < Duration::from_secs(5),
        "{what}: a request hung"
    );
}

/// A chunked body (with a chunk extension, a chunk larger than the read buffer and a
/// trailer) is read to its end: sizes count the decoded body, and the connection is kept
/// for the next request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chunked_bodies_are_read_to_the_end_and_the_connection_kept() {
    let _serial = SERIAL.lock().await;
    let (url, seen) = raw_target(
        |_| {
            let mut r = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\
                5\r\nhello\r\n6;ext=1\r\n world\r\n9c40\r\n"
                .to_vec();
            r.extend(std::iter::repeat_n(b'a', 40_000));
            r.extend_from_slice(b"\r\n0\r\nX-Trailer: yes\r\n\r\n");
            r
        },
        false,
    )
    .await;
    let result = run_raw(url, "GET").await;
    assert_all_ok("chunked", &result, &seen);
    // "HTTP/1.1 200 OK\r\n" + "Transfer-Encoding: chunked\r\n" + "\r\n"
    let head = 17.0 + 28.0 + 2.0;
    assert_eq!(
        (result.header_sizes.min, result.header_sizes.max),
        (head, head)
    );
    let size = head + 5.0 + 6.0 + 40_000.0;
    assert_eq!((result.sizes.min, result.sizes.max), (size, size));
    assert_eq!(seen.connections.load(Ordering::SeqCst), 2, "keep-alive");
    assert_eq!(result.protocol, "HTTP/1.1");
}

/// A server that closes after every answer, saying so (`Connection: close`, with a length or
/// with the body ending at the close) or by answering HTTP/1.0: every request gets its 200 on
/// a new connection, none is an error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_close_answers_reconnect_without_errors() {
    let _serial = SERIAL.lock().await;
    let cases: [(&str, Answer, f64, &str); 3] = [
        (
            "close with length",
            |_| b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok".to_vec(),
            2.0,
            "HTTP/1.1",
        ),
        (
            "close-delimited body",
            |_| b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil close".to_vec(),
            11.0,
            "HTTP/1.1",
        ),
        (
            "HTTP/1.0",
            |_| b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok".to_vec(),
            2.0,
            "HTTP/1.0",
        ),
    ];
    for (what, answer, body, protocol) in cases {
        let (url, seen) = raw_target(answer, true).await;
        let result = run_raw(url, "GET").await;
        assert_all_ok(what, &result, &seen);
        assert_eq!(
            seen.connections.load(Ordering::SeqCst),
            result.requests(),
            "{what}: one connection per request"
        );
        let size = result.header_sizes.max + body;
        assert_eq!((result.sizes.min, result.sizes.max), (size, size), "{what}");
        assert_eq!(result.protocol, protocol, "{what}");
    }
}

/// Interim answers (100 Continue, 103 Early Hints) before the real one are skipped: the
/// result has the final status and its head's size only.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interim_1xx_answers_are_skipped() {
    let _serial = SERIAL.lock().await;
    let (url, seen) = raw_target(
        |_| {
            b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n\
              HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
                .to_vec()
        },
        false,
    )
    .await;
    let result = run_raw(url, "GET").await;
    assert_all_ok("1xx", &result, &seen);
    // "HTTP/1.1 200 OK\r\n" + "Content-Length: 2\r\n" + "\r\n"
    assert_eq!(result.header_sizes.max, 38.0);
    assert_eq!(result.sizes.max, 40.0);
    assert_eq!(seen.connections.load(Ordering::SeqCst), 2, "keep-alive");
}

/// Answers to HEAD, and 204 and 304 answers, have no body whatever `Content-Length` says: the
/// next request is sent on the same connection without waiting for one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn head_204_and_304_answers_have_no_body() {
    let _serial = SERIAL.lock().await;
    let (url, seen) = raw_target(
        |line| {
            let answer = if line.starts_with("HEAD ") {
                "200 OK"
            } else if line.contains("/304") {
                "304 Not Modified"
            } else {
                "204 No Content"
            };
            format!("HTTP/1.1 {answer}\r\nContent-Length: 1000\r\n\r\n").into_bytes()
        },
        false,
    )
    .await;
    let result = run_raw(url.clone(), "HEAD").await;
    assert_all_ok("HEAD", &result, &seen);
    let lines: Vec<_> = seen.lines.lock().unwrap().iter().cloned().collect();
    assert_eq!(lines, ["HEAD / HTTP/1.1"]);
    // "HTTP/1.1 200 OK\r\n" + "Content-Length: 1000\r\n" + "\r\n": no body.
    assert_eq!((result.sizes.min, result.sizes.max), (41.0, 41.0));
    assert_eq!(seen.connections.load(Ordering::SeqCst), 2, "keep-alive");

    for (path, code) in [("304", 304), ("204", 204)] {
        let result = run_raw(format!("{url}{path}"), "GET").await;
        let requests = result.requests();
        eprintln!("{code}: {:?}", result.ret_codes);
        assert!((18..=20).contains(&requests), "{code}: {requests}");
        assert_eq!(result.code_count(code), requests, "{:?}", result.ret_codes);
        assert_eq!(result.sizes.max, result.header_sizes.max, "{code}: no body");
    }
    assert_eq!(seen.connections.load(Ordering::SeqCst), 6, "keep-alive");
}

/// Malformed answers (not HTTP, a bad chunk size, a bad length, a body cut short by the
/// close) are transport errors (-1), found without waiting for the timeout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_answers_are_errors_not_hangs() {
    let _serial = SERIAL.lock().await;
    let cases: [(&str, Answer, bool); 5] = [
        ("not HTTP", |_| b"hello there\r\n\r\n".to_vec(), false),
        (
            "bad chunk size",
            |_| b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n".to_vec(),
            false,
        ),
        (
            "chunk without its CRLF",
            |_| b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokxx".to_vec(),
            false,
        ),
        (
            "bad length",
            |_| b"HTTP/1.1 200 OK\r\nContent-Length: 2x\r\n\r\nok".to_vec(),
            false,
        ),
        (
            "body cut short",
            |_| b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nok".to_vec(),
            true,
        ),
    ];
    for (what, answer, close) in cases {
        let (url, seen) = raw_target(answer, close).await;
        let result = run_raw(url, "GET").await;
        let requests = result.requests();
        let actual = Duration::from_nanos(result.actual_duration);
        eprintln!("{what}: {:?} in {actual:?}", result.ret_codes);
        assert!((18..=20).contains(&requests), "{what}: {requests}");
        assert_eq!(
            result.code_count(-1),
            requests,
            "{what}: {:?}",
            result.ret_codes
        );
        assert!(actual < Duration::from_secs(5), "{what}: a request hung");
        assert_eq!(seen.requests.load(Ordering::SeqCst), requests, "{what}");
        assert_eq!(result.sizes.count, 0, "{what}: no response, no size");
    }
}

/// A target that never answers: every request fails at its timeout (200 ms), one after the
/// other on a fresh connection each, so the timer is re-armed correctly from request to
/// request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_request_times_out_on_its_own_deadline() {
    let _serial = SERIAL.lock().await;
    let (url, seen) = raw_target(|_| Vec::new(), false).await;
    let result = run_plain(LoadSpec {
        timeout: Duration::from_millis(200),
        ..spec(url, 0.0, 1, Duration::from_secs(1))
    })
    .await;
    let h = &result.duration_histogram;
    eprintln!(
        "timeouts: {:?}, latency {:.1}..{:.1} ms, {} connections",
        result.ret_codes,
        ms(h.min),
        ms(h.max),
        seen.connections.load(Ordering::SeqCst)
    );
    let requests = result.requests();
    assert!((4..=5).contains(&requests), "{requests}");
    assert_eq!(result.code_count(-1), requests);
    assert!(h.min >= 0.2 && h.max < 0.3, "{} .. {}", h.min, h.max);
    assert_eq!(seen.connections.load(Ordering::SeqCst), requests);
}

/// The request is serialized once: request line, Host unless given, the headers as given
/// (without Content-Length and Transfer-Encoding), a Content-Length for a body or a POST.
#[test]
fn requests_are_serialized_once_as_http1() {
    let get = super::h1::request_bytes("GET", "/a?b=1", "example.com:8080", &[], &[]);
    assert_eq!(
        get,
        b"GET /a?b=1 HTTP/1.1\r\nhost: example.com:8080\r\n\r\n"
    );
    let post = super::h1::request_bytes(
        "POST",
        "/",
        "h",
        &[
            ("x-test", b"yes"),
            ("Host", b"other"),
            ("content-length", b"99"),
            ("transfer-encoding", b"chunked"),
        ],
        b"hello",
    );
    assert_eq!(
        String::from_utf8(post).unwrap(),
        "POST / HTTP/1.1\r\nx-test: yes\r\nHost: other\r\ncontent-length: 5\r\n\r\nhello"
    );
    let empty_post = super::h1::request_bytes("POST", "/", "h", &[], &[]);
    assert_eq!(
        empty_post,
        b"POST / HTTP/1.1\r\nhost: h\r\ncontent-length: 0\r\n\r\n"
    );
}

// ---- checks ----

#[test]
fn parse_duration_reads_meshery_and_go_durations() {
    assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
    assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
    assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
    assert_eq!(parse_duration("1m30s"), Ok(Duration::from_secs(90)));
    assert_eq!(parse_duration("1.5h"), Ok(Duration::from_secs(5400)));
    assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
    assert_eq!(parse_duration("0"), Ok(Duration::ZERO));
    for bad in ["", "30", "30x", "5d", "-5s", "s", "1..5s", "m5"] {
        assert!(parse_duration(bad).is_err(), "{bad:?} accepted");
    }
    assert!(parse_duration("30x").unwrap_err().contains("unknown unit"));
    assert!(parse_duration("30").unwrap_err().contains("missing unit"));
}

#[test]
fn durations_are_written_as_go_does() {
    let s = Duration::from_secs;
    assert_eq!(go_duration_string(s(2)), "2s");
    assert_eq!(go_duration_string(s(60)), "1m0s");
    assert_eq!(go_duration_string(s(90)), "1m30s");
    assert_eq!(go_duration_string(s(3600)), "1h0m0s");
    assert_eq!(go_duration_string(Duration::from_millis(1500)), "1.5s");
    assert_eq!(go_duration_string(Duration::from_millis(500)), "500ms");
    assert_eq!(go_duration_string(Duration::from_micros(1500)), "1.5ms");
    assert_eq!(go_duration_string(Duration::ZERO), "0s");
}

#[test]
fn validate_rejects_bad_specs() {
    let limits = Limits {
        max_duration: Duration::from_secs(600),
        max_connections: 64,
    };
    let good = spec(
        "https://example.com/x".into(),
        10.0,
        4,
        Duration::from_secs(30),
    );
    assert_eq!(validate(&good, &limits), Ok(()));
    assert_eq!(
        validate(
            &LoadSpec {
                qps: 0.0,
                ..good.clone()
            },
            &limits
        ),
        Ok(())
    );

    let bad = |s: LoadSpec| validate(&s, &limits).unwrap_err();
    assert!(
        bad(LoadSpec {
            url: "/relative".into(),
            ..good.clone()
        })
        .contains("invalid")
    );
    assert!(
        bad(LoadSpec {
            url: "ftp://example.com/".into(),
            ..good.clone()
        })
        .contains("http")
    );
    assert!(
        bad(LoadSpec {
            url: "not a url".into(),
            ..good.clone()
        })
        .contains("url")
    );
    assert!(
        bad(LoadSpec {
            qps: -1.0,
            ..good.clone()
        })
        .contains("qps")
    );
    assert!(
        bad(LoadSpec {
            qps: f64::NAN,
            ..good.clone()
        })
        .contains("qps")
    );
    assert!(
        bad(LoadSpec {
            connections: 0,
            ..good.clone()
        })
        .contains("at least 1")
    );
    assert!(
        bad(LoadSpec {
            connections: 65,
            ..good.clone()
        })
        .contains("limit is 64")
    );
    assert!(
        bad(LoadSpec {
            duration: Duration::from_secs(601),
            ..good.clone()
        })
        .contains("exceeds the limit of 10m0s")
    );
    assert!(
        bad(LoadSpec {
            duration: Duration::ZERO,
            ..good.clone()
        })
        .contains("positive")
    );
    assert!(
        bad(LoadSpec {
            timeout: Duration::ZERO,
            ..good.clone()
        })
        .contains("timeout")
    );
    assert!(
        bad(LoadSpec {
            method: "GE T".into(),
            ..good.clone()
        })
        .contains("method")
    );
    assert!(
        bad(LoadSpec {
            headers: vec![("bad header".into(), "v".into())],
            ..good.clone()
        })
        .contains("header")
    );
    assert!(
        bad(LoadSpec {
            cookies: vec![("a;b".into(), "v".into())],
            ..good
        })
        .contains("cookie")
    );
}

/// Request `i` of the whole run is due at `i / qps`; connection `k` of `c` sends `k, k+c, …`.
#[test]
fn the_schedule_is_absolute() {
    assert_eq!(intended_offset(0, 200.0), Duration::ZERO);
    assert_eq!(intended_offset(1, 200.0), Duration::from_millis(5));
    assert_eq!(intended_offset(399, 200.0), Duration::from_millis(1995));
    // 4 connections at 200 req/s: connection 1 is due at 5, 25, 45 ms.
    let due: Vec<_> = (0..3).map(|j| intended_offset(1 + j * 4, 200.0)).collect();
    assert_eq!(
        due,
        [5, 25, 45].map(Duration::from_millis).to_vec(),
        "each connection at qps / c"
    );
}

// ---- result shape ----

#[test]
fn histograms_export_in_fortio_units() {
    let mut r = Recorder::latency_us();
    for _ in 0..60 {
        r.record(1_000); // 1 ms
    }
    for _ in 0..40 {
        r.record(10_000); // 10 ms
    }
    let mut other = Recorder::latency_us();
    other.record(500_000); // 500 ms
    r.merge(&other);
    let h = r.export(1e-6);
    assert_eq!(h.count, 101);
    assert!((h.min - 0.001).abs() < 1e-12);
    assert!((h.max - 0.5).abs() < 1e-12);
    assert!((h.sum - (0.06 + 0.4 + 0.5)).abs() < 1e-9);
    assert!((h.avg - 0.96 / 101.0).abs() < 1e-9);
    assert!(h.std_dev > 0.0);
    let p50 = h.percentile(50.0).unwrap();
    assert!((0.001..=0.001_01).contains(&p50), "{p50}");
    let p90 = h.percentile(90.0).unwrap();
    assert!((0.01..=0.010_01).contains(&p90), "{p90}");
    assert_eq!(h.percentile(99.9), Some(0.5));
    assert_eq!(
        h.percentiles
            .iter()
            .map(|p| p.percentile)
            .collect::<Vec<_>>(),
        PERCENTILES.to_vec()
    );
    // Fortio's buckets (1 ms resolution): [1,2) ms, [10,11) ms, [500,600) ms clamped to max.
    let buckets: Vec<_> = h
        .data
        .iter()
        .map(|b| (b.start, b.end, b.count, b.percent))
        .collect();
    assert_eq!(buckets.len(), 3, "{buckets:?}");
    assert_eq!(buckets[0].2, 60);
    assert!((buckets[0].0 - 0.001).abs() < 1e-12 && (buckets[0].1 - 0.002).abs() < 1e-12);
    assert!((buckets[1].0 - 0.010).abs() < 1e-12 && (buckets[1].1 - 0.011).abs() < 1e-12);
    assert!((buckets[2].0 - 0.5).abs() < 1e-12 && (buckets[2].1 - 0.5).abs() < 1e-12);
    assert!((buckets[1].3 - 100.0 * 100.0 / 101.0).abs() < 1e-9);
    assert!((buckets[2].3 - 100.0).abs() < 1e-9);
    assert_eq!(h.count_at_least(0.3), 1);

    // Recording a value n times at once is recording it n times.
    let (mut once, mut each) = (Recorder::bytes(), Recorder::bytes());
    once.record_n(120, 3);
    once.record_n(7, 0);
    once.record(40);
    for v in [120, 120, 120, 40] {
        each.record(v);
    }
    assert_eq!(once.export(1.0), each.export(1.0));
    assert_eq!(once.count(), 4);

    let empty = Recorder::bytes().export(1.0);
    assert_eq!(empty.count, 0);
    assert!(empty.data.is_empty());
}

fn sample_result() -> RunResult {
    let mut latency = Recorder::latency_us();
    for us in [2_000, 4_000, 6_000, 8_000, 100_000] {
        latency.record(us);
    }
    let mut sizes = Recorder::bytes();
    sizes.record(120);
    RunResult {
        run_type: "HTTP".into(),
        labels: "test".into(),
        start_time: "2025-01-02T03:04:05Z".parse().unwrap(),
        requested_qps: "max".into(),
        requested_duration: "2s".into(),
        actual_qps: 2.5,
        actual_duration: 2_000_000_000,
        num_threads: 2,
        version: "v".into(),
        duration_histogram: latency.export(1e-6),
        exactly: 0,
        jitter: false,
        uniform: false,
        no_catch_up: false,
        ret_codes: [("200".to_string(), 4), ("-1".to_string(), 1)].into(),
        sizes: sizes.export(1.0),
        header_sizes: sizes.export(1.0),
        url: "http://x/".into(),
        socket_count: 2,
        http_req_timeout: 3_000_000_000,
        abort_on: 0,
        cancelled: false,
        protocol: "HTTP/1.1".into(),
    }
}

#[test]
fn the_result_has_fortios_json_shape() {
    let json = serde_json::to_value(sample_result()).unwrap();
    for key in [
        "RunType",
        "Labels",
        "StartTime",
        "RequestedQPS",
        "RequestedDuration",
        "ActualQPS",
        "ActualDuration",
        "NumThreads",
        "Version",
        "DurationHistogram",
        "Exactly",
        "RetCodes",
        "Sizes",
        "HeaderSizes",
        "URL",
        "SocketCount",
        "HTTPReqTimeOut",
        "AbortOn",
        "Protocol",
    ] {
        assert!(json.get(key).is_some(), "{key} missing in {json}");
    }
    assert_eq!(json["RunType"], "HTTP");
    assert_eq!(json["StartTime"], "2025-01-02T03:04:05Z");
    assert_eq!(json["RequestedQPS"], "max");
    assert_eq!(json["ActualDuration"], 2_000_000_000u64);
    assert_eq!(json["RetCodes"]["200"], 4);
    assert_eq!(json["RetCodes"]["-1"], 1);
    let h = &json["DurationHistogram"];
    for key in [
        "Count",
        "Min",
        "Max",
        "Sum",
        "Avg",
        "StdDev",
        "Data",
        "Percentiles",
    ] {
        assert!(h.get(key).is_some(), "DurationHistogram.{key} missing");
    }
    assert_eq!(h["Count"], 5);
    assert_eq!(h["Min"], 0.002);
    let bucket = &h["Data"][0];
    for key in ["Start", "End", "Percent", "Count"] {
        assert!(bucket.get(key).is_some(), "Data[].{key} missing");
    }
    assert_eq!(h["Percentiles"][0]["Percentile"], 50.0);
    // Reads back.
    let back: RunResult = serde_json::from_value(json).unwrap();
    assert_eq!(back, sample_result());
}

#[test]
fn the_smp_summary_is_in_milliseconds() {
    let smp = sample_result().smp();
    assert_eq!(smp.start_time.to_rfc3339(), "2025-01-02T03:04:05+00:00");
    assert_eq!(smp.end_time.to_rfc3339(), "2025-01-02T03:04:07+00:00");
    let l = &smp.latencies_ms;
    assert!(
        (l.min - 2.0).abs() < 1e-9 && (l.max - 100.0).abs() < 1e-9,
        "{l:?}"
    );
    assert!((l.average - 24.0).abs() < 1e-9, "{l:?}");
    assert!((6.0..=6.01).contains(&l.p50), "{l:?}");
    assert!((99.99..=100.01).contains(&l.p99), "{l:?}");
    assert_eq!((smp.requests, smp.errors), (5, 1));
    assert_eq!(smp.actual_qps, 2.5);
    let json = serde_json::to_value(&smp).unwrap();
    assert!(json["latencies_ms"]["p90"].is_number());
}
