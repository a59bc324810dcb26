//! Prometheus metrics, rendered by hand in the text exposition format: requests by operation
//! and status, a latency histogram, and open SSE and WebSocket connections. A handful of
//! counters does not justify a metrics framework dependency.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

const BUCKETS: &[f64] = &[
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

#[derive(Default)]
struct Histogram {
    counts: Vec<u64>,
    sum: f64,
    count: u64,
}

#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, u16), u64>>,
    latency: Mutex<BTreeMap<String, Histogram>>,
    sse_open: Arc<AtomicI64>,
    ws_open: Arc<AtomicI64>,
}

/// Decrements a gauge when the connection it counts ends.
pub struct OpenGuard(Arc<AtomicI64>);

impl Drop for OpenGuard {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Metrics {
    pub fn observe(&self, operation: &str, status: u16, elapsed: Duration) {
        let mut r = self.requests.lock().unwrap_or_else(|e| e.into_inner());
        *r.entry((operation.to_string(), status)).or_default() += 1;
        drop(r);
        let secs = elapsed.as_secs_f64();
        let mut l = self.latency.lock().unwrap_or_else(|e| e.into_inner());
        let h = l.entry(operation.to_string()).or_default();
        if h.counts.is_empty() {
            h.counts = vec![0; BUCKETS.len()];
        }
        for (i, b) in BUCKETS.iter().enumerate() {
            if secs <= *b {
                h.counts[i] += 1;
            }
        }
        h.sum += secs;
        h.count += 1;
    }

    pub fn sse_opened(&self) -> OpenGuard {
        self.sse_open.fetch_add(1, Ordering::Relaxed);
        OpenGuard(self.sse_open.clone())
    }

    pub fn ws_opened(&self) -> OpenGuard {
        self.ws_open.fetch_add(1, Ordering::Relaxed);
        OpenGuard(self.ws_open.clone())
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str(
            "# HELP meshery_http_requests_total Requests served, by operation and status.\n",
        );
        out.push_str("# TYPE meshery_http_requests_total counter\n");
        for ((op, status), n) in self
            .requests
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
        {
            let _ = writeln!(
                out,
                "meshery_http_requests_total{{operation=\"{op}\",status=\"{status}\"}} {n}"
            );
        }
        out.push_str("# HELP meshery_http_request_duration_seconds Time to the response head, by operation.\n");
        out.push_str("# TYPE meshery_http_request_duration_seconds histogram\n");
        for (op, h) in self
            .latency
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
        {
            for (i, b) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "meshery_http_request_duration_seconds_bucket{{operation=\"{op}\",le=\"{b}\"}} {}",
                    h.counts[i]
                );
            }
            let _ = writeln!(
                out,
                "meshery_http_request_duration_seconds_bucket{{operation=\"{op}\",le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(
                out,
                "meshery_http_request_duration_seconds_sum{{operation=\"{op}\"}} {}",
                h.sum
            );
            let _ = writeln!(
                out,
                "meshery_http_request_duration_seconds_count{{operation=\"{op}\"}} {}",
                h.count
            );
        }
        out.push_str("# HELP meshery_sse_connections Open server-sent event streams.\n# TYPE meshery_sse_connections gauge\n");
        let _ = writeln!(
            out,
            "meshery_sse_connections {}",
            self.sse_open.load(Ordering::Relaxed)
        );
        out.push_str("# HELP meshery_websocket_connections Open GraphQL WebSocket connections.\n# TYPE meshery_websocket_connections gauge\n");
        let _ = writeln!(
            out,
            "meshery_websocket_connections {}",
            self.ws_open.load(Ordering::Relaxed)
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_and_gauges_render() {
        let m = Metrics::default();
        m.observe("getUser", 200, Duration::from_millis(3));
        let g = m.sse_opened();
        let text = m.render();
        assert!(
            text.contains("meshery_http_requests_total{operation=\"getUser\",status=\"200\"} 1")
        );
        assert!(text.contains("le=\"0.001\"} 0"));
        assert!(text.contains("le=\"0.005\"} 1"));
        assert!(text.contains("meshery_sse_connections 1"));
        drop(g);
        assert!(m.render().contains("meshery_sse_connections 0"));
    }
}
