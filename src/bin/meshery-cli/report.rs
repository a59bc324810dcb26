//! What the CLI prints about results: the summary after a run, the results and profiles lists.

use crate::table::{Align, Table, num};
use meshery_server::client::types::{
    PerformanceProfilePage, PerformanceResult, PerformanceResultPage,
};

/// The summary of a finished run: latencies, then counts, status codes and the result id.
pub fn summary(r: &PerformanceResult) -> String {
    let l = &r.smp.latencies_ms;
    let mut t = Table::new(&[
        ("LATENCY (ms)", Align::Left),
        ("min", Align::Right),
        ("avg", Align::Right),
        ("p50", Align::Right),
        ("p90", Align::Right),
        ("p99", Align::Right),
        ("max", Align::Right),
    ]);
    t.row(
        std::iter::once(String::new())
            .chain([l.min, l.average, l.p50, l.p90, l.p99, l.max].map(|v| num(v, 3)))
            .collect(),
    );
    let mut facts = Table::new(&[("", Align::Left), ("", Align::Left)]);
    for (k, v) in [
        ("requests", r.smp.requests.to_string()),
        ("req/s", num(r.smp.actual_qps, 1)),
        ("errors", r.smp.errors.to_string()),
        ("status codes", status_codes(r)),
        ("result id", r.meshery_id.to_string()),
    ] {
        facts.row(vec![k.into(), v]);
    }
    format!("{}\n{}", t.render(), facts.render())
}

/// `200: 48, -1 (transport error): 2` from Fortio's `RetCodes`, codes in ascending order.
pub fn status_codes(r: &PerformanceResult) -> String {
    let Some(codes) = r.runner_results.get("RetCodes").and_then(|c| c.as_object()) else {
        return "-".into();
    };
    let mut codes: Vec<(i64, String)> = codes
        .iter()
        .map(|(code, n)| {
            let count = n.as_i64().map_or_else(|| n.to_string(), |n| n.to_string());
            (code.parse().unwrap_or(i64::MAX), format!("{code}: {count}"))
        })
        .collect();
    codes.sort();
    if codes.is_empty() {
        return "-".into();
    }
    codes
        .into_iter()
        .map(|(code, text)| {
            if code == -1 {
                text.replacen(':', " (transport error):", 1)
            } else {
                text
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A page of results as a table, with a line saying which part of the whole it is.
pub fn results_table(page: &PerformanceResultPage) -> String {
    let mut t = Table::new(&[
        ("NAME", Align::Left),
        ("START (UTC)", Align::Left),
        ("REQ/S", Align::Right),
        ("P50 ms", Align::Right),
        ("P99 ms", Align::Right),
        ("ERRORS", Align::Right),
        ("ID", Align::Left),
    ]);
    for r in &page.results {
        t.row(vec![
            r.name.clone(),
            r.test_start_time.format("%Y-%m-%d %H:%M:%S").to_string(),
            num(r.smp.actual_qps, 1),
            num(r.smp.latencies_ms.p50, 3),
            num(r.smp.latencies_ms.p99, 3),
            r.smp.errors.to_string(),
            r.meshery_id.to_string(),
        ]);
    }
    format!(
        "{}{}\n",
        t.render(),
        page_line(page.page, page.page_size, page.total_count, "result")
    )
}

/// A page of profiles as a table.
pub fn profiles_table(page: &PerformanceProfilePage) -> String {
    let mut t = Table::new(&[
        ("NAME", Align::Left),
        ("ENDPOINT", Align::Left),
        ("QPS", Align::Right),
        ("C", Align::Right),
        ("DURATION", Align::Left),
        ("RESULTS", Align::Right),
        ("ID", Align::Left),
    ]);
    for p in &page.profiles {
        t.row(vec![
            p.name.clone(),
            p.endpoints.first().cloned().unwrap_or_default(),
            p.qps.to_string(),
            p.concurrent_request.to_string(),
            p.duration.clone(),
            p.total_results.to_string(),
            p.id.to_string(),
        ]);
    }
    format!(
        "{}{}\n",
        t.render(),
        page_line(page.page, page.page_size, page.total_count, "profile")
    )
}

/// `page 1 of 3 (52 results)`, pages counted from 1 for people (the API counts from 0).
fn page_line(page: i64, size: i64, total: i64, noun: &str) -> String {
    let pages = if size > 0 {
        (total + size - 1) / size
    } else {
        0
    };
    let plural = if total == 1 { "" } else { "s" };
    format!(
        "page {} of {} ({total} {noun}{plural})",
        page + 1,
        pages.max(1)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result() -> PerformanceResult {
        serde_json::from_value(serde_json::json!({
            "mesheryId": "6f1c2a53-0d1e-4c7a-9a49-6f0e8e1d2b3c",
            "name": "cli-test",
            "mesh": "",
            "testId": "t",
            "runnerResults": {"RetCodes": {"503": 1, "200": 48, "-1": 2}},
            "serverMetrics": {},
            "serverBoardConfig": {},
            "testStartTime": "2025-01-02T03:04:05Z",
            "userId": "u",
            "createdAt": "2025-01-02T03:04:36Z",
            "updatedAt": "2025-01-02T03:04:36Z",
            "smp": {
                "smp_version": "v0.0.1",
                "id": "6f1c2a53-0d1e-4c7a-9a49-6f0e8e1d2b3c",
                "start_time": "2025-01-02T03:04:05Z",
                "end_time": "2025-01-02T03:04:35Z",
                "latencies_ms": {"min": 0.1, "average": 0.25, "p50": 0.2, "p90": 0.4, "p99": 1.5, "max": 2.25},
                "actual_qps": 49.93,
                "requests": 51,
                "errors": 3,
                "test_id": "t"
            }
        }))
        .unwrap()
    }

    #[test]
    fn the_summary_has_latencies_counts_codes_and_the_id() {
        let s = summary(&result());
        assert_eq!(
            s,
            "LATENCY (ms)  min   avg  p50  p90  p99   max\n\
             \x20             0.1  0.25  0.2  0.4  1.5  2.25\n\
             \n\
             requests      51\n\
             req/s         49.9\n\
             errors        3\n\
             status codes  -1 (transport error): 2, 200: 48, 503: 1\n\
             result id     6f1c2a53-0d1e-4c7a-9a49-6f0e8e1d2b3c\n"
        );
    }

    #[test]
    fn missing_status_codes_show_a_dash() {
        let mut r = result();
        r.runner_results.clear();
        assert_eq!(status_codes(&r), "-");
    }

    #[test]
    fn the_results_table_has_one_row_per_result_and_a_page_line() {
        let page = PerformanceResultPage {
            page: 0,
            page_size: 25,
            total_count: 1,
            results: vec![result()],
        };
        let t = results_table(&page);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 3, "{t}");
        assert!(lines[0].starts_with("NAME      START (UTC)          REQ/S  P50 ms  P99 ms"));
        assert!(lines[1].starts_with("cli-test  2025-01-02 03:04:05   49.9     0.2     1.5"));
        assert!(lines[1].ends_with("6f1c2a53-0d1e-4c7a-9a49-6f0e8e1d2b3c"));
        assert_eq!(lines[2], "page 1 of 1 (1 result)");
    }

    #[test]
    fn page_lines_count_pages_from_one() {
        assert_eq!(page_line(1, 25, 52, "result"), "page 2 of 3 (52 results)");
        assert_eq!(page_line(0, 25, 0, "profile"), "page 1 of 1 (0 profiles)");
    }
}
