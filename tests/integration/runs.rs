//! Load tests through the server: runs streamed as SSE, results stored and listed, events,
//! and the checks made before anything runs. Targets are started in the test.

use crate::common::*;
use crate::target::{Target, target};
use futures::StreamExt;
use meshery_server::client::{Client, types};
use std::time::Duration;

async fn profile(c: &Client, url: &str, qps: i32, connections: i32, duration: &str) -> uuid::Uuid {
    let body: types::PerformanceProfileInput = serde_json::from_value(serde_json::json!({
        "name": "target", "endpoints": [url], "duration": duration,
        "qps": qps, "concurrentRequest": connections,
    }))
    .unwrap();
    c.save_user_performance_profile()
        .body(body)
        .send()
        .await
        .unwrap()
        .into_inner()
        .id
}

/// Reads `LoadTestResponse`s from an SSE body until `stop` says so or the stream ends;
/// fails the test after `secs`.
async fn read_messages(
    stream: &mut progenitor_client::ByteStream,
    secs: u64,
    stop: impl Fn(&types::LoadTestResponse) -> bool,
) -> Vec<types::LoadTestResponse> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    let mut buf = String::new();
    let mut out = Vec::new();
    loop {
        while let Some(end) = buf.find("\n\n") {
            let event: String = buf.drain(..end + 2).collect();
            for line in event.lines() {
                if let Some(data) = line.strip_prefix("data: ") {
                    let m: types::LoadTestResponse = serde_json::from_str(data).unwrap();
                    let done = stop(&m);
                    out.push(m);
                    if done {
                        return out;
                    }
                }
            }
        }
        match tokio::time::timeout_at(deadline, stream.next())
            .await
            .expect("the run stream timed out")
        {
            Some(chunk) => buf.push_str(&String::from_utf8_lossy(&chunk.unwrap())),
            None => return out,
        }
    }
}

fn is_final(m: &types::LoadTestResponse) -> bool {
    m.status != types::LoadTestStatus::Info
}

fn ret_code(r: &types::PerformanceResult, code: &str) -> u64 {
    r.runner_results["RetCodes"][code].as_u64().unwrap_or(0)
}

/// 200 req/s over 4 connections for 2 s against a 10 ms target, through the run endpoint:
/// the stream shows progress and ends with the stored result; 400 ± 5% requests were sent
/// (and the target saw them); p50 is close to the known delay.
#[tokio::test]
async fn a_run_streams_progress_holds_the_rate_and_stores_the_result() {
    let t = target().await;
    let s = server().await;
    let c = s.client();
    let id = profile(&c, &t.url("/delay/10"), 1, 1, "30s").await;
    let resp = c
        .run_performance_profile()
        .id(id)
        .name("rate held")
        .qps(200.0)
        .c(std::num::NonZeroU32::new(4).unwrap())
        .t(std::num::NonZeroU64::new(2).unwrap())
        .dur(types::DurationUnit::S)
        .load_generator(types::TestLoadGenerator::Wrk2)
        .mesh("ISTIO")
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.headers()["content-type"].to_str().unwrap(),
        "text/event-stream"
    );
    let mut stream = resp.into_inner();
    let msgs = read_messages(&mut stream, 30, is_final).await;
    let first = &msgs[0];
    assert_eq!(first.status, types::LoadTestStatus::Info);
    assert!(first.message.contains("Initiating"), "{}", first.message);
    assert!(
        msgs.iter().any(|m| m
            .progress
            .as_ref()
            .is_some_and(|p| p.requests > 0 && p.current_qps > 0.0 && p.elapsed_seconds < 2.5)),
        "a progress message during the run: {msgs:?}"
    );
    let last = msgs.last().unwrap();
    assert_eq!(
        last.status,
        types::LoadTestStatus::Success,
        "{}",
        last.message
    );
    let r = last
        .result
        .clone()
        .expect("the success message carries the result");
    let requests = r.smp.requests as f64;
    assert!((380.0..=420.0).contains(&requests), "{requests} requests");
    assert_eq!(ret_code(&r, "200") as f64, requests);
    assert_eq!(t.served.get() as f64, requests, "the target saw them all");
    let p50 = r.smp.latencies_ms.p50;
    assert!(
        (9.0..40.0).contains(&p50),
        "p50 {p50} ms for a 10 ms target"
    );
    assert!(r.smp.latencies_ms.p99 >= p50 && r.smp.latencies_ms.max >= r.smp.latencies_ms.p99);
    // Fortio's shape, with what Meshery adds.
    let rr = &r.runner_results;
    assert_eq!(rr["RunType"], "HTTP");
    assert_eq!(rr["RequestedQPS"], "200");
    assert_eq!(rr["NumThreads"], 4);
    assert_eq!(rr["load-generator"], "wrk2");
    assert!(rr["DurationHistogram"]["Percentiles"].is_array());
    assert_eq!(r.mesh, "ISTIO");
    assert_eq!(r.name, "rate held");
    assert_eq!(r.performance_profile, Some(id));
    assert_eq!(r.smp.end_time - r.smp.start_time, {
        let ns = rr["ActualDuration"].as_i64().unwrap();
        chrono::Duration::nanoseconds(ns)
    });

    // Stored: by id, under the profile (at both paths), and among all results.
    let got = c
        .get_perf_result()
        .id(r.meshery_id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        serde_json::to_value(&got).unwrap(),
        serde_json::to_value(&r).unwrap()
    );
    let of_profile = c
        .get_user_performance_profile_results()
        .id(id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(of_profile.total_count, 1);
    assert_eq!(of_profile.results[0].meshery_id, r.meshery_id);
    let current = c
        .get_performance_profile_results()
        .id(id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        serde_json::to_value(&current.results).unwrap(),
        serde_json::to_value(&of_profile.results).unwrap()
    );
    let p = c
        .get_user_performance_profile()
        .id(id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(p.total_results, 1);
    assert_eq!(p.last_run, Some(r.test_start_time));
    s.stop().await;
}

/// Status codes and transport errors are counted, in `RetCodes` and the SMP error count.
#[tokio::test]
async fn status_codes_and_errors_are_counted() {
    let t = target().await;
    let s = server().await;
    let c = s.client();
    for (url, code) in [
        (t.url("/status/503"), "503"),
        // Nothing listens on port 1: every request is a transport error (-1).
        ("http://127.0.0.1:1/".to_string(), "-1"),
    ] {
        let id = profile(&c, &url, 50, 1, "1s").await;
        let mut stream = c
            .run_performance_profile()
            .id(id)
            .name(format!("errors {code}"))
            .send()
            .await
            .unwrap()
            .into_inner();
        let msgs = read_messages(&mut stream, 30, is_final).await;
        let r = msgs.last().unwrap().result.clone().expect("stored");
        assert!(r.smp.requests > 0);
        assert_eq!(ret_code(&r, code), r.smp.requests as u64, "{code}");
        assert_eq!(r.smp.errors, r.smp.requests, "{code}");
    }
    s.stop().await;
}

/// The client going away does not stop the run: its result is stored in full.
#[tokio::test]
async fn disconnecting_the_stream_does_not_stop_the_run() {
    let t = target().await;
    let s = server().await;
    let c = s.client();
    let id = profile(&c, &t.url("/delay/1"), 100, 2, "2s").await;
    let mut stream = c
        .run_performance_profile()
        .id(id)
        .name("left early")
        .send()
        .await
        .unwrap()
        .into_inner();
    let first = read_messages(&mut stream, 10, |_| true).await;
    assert_eq!(first.len(), 1);
    drop(stream);
    let r = eventually("the run's result", Duration::from_secs(20), || async {
        let page = c
            .get_user_performance_profile_results()
            .id(id)
            .send()
            .await
            .unwrap()
            .into_inner();
        page.results.into_iter().next()
    })
    .await;
    let n = r.smp.requests as f64;
    assert!(
        (190.0..=210.0).contains(&n),
        "{n} requests: the run went on"
    );
    assert_eq!(t.served.get() as f64, n);
    s.stop().await;
}

/// A run raises `started` and `finished` events, which the event stream shows.
#[tokio::test]
async fn runs_emit_events_on_the_bus() {
    let t = target().await;
    let s = server().await;
    let c = s.client();
    let mut events = c.subscribe_events().send().await.unwrap().into_inner();
    let id = profile(&c, &t.url("/delay/0"), 20, 1, "1s").await;
    let mut run = c
        .run_performance_profile()
        .id(id)
        .name("evented")
        .send()
        .await
        .unwrap()
        .into_inner();
    read_messages(&mut run, 30, is_final).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let mut buf = String::new();
    while !(buf.contains("\"action\":\"started\"") && buf.contains("\"action\":\"finished\"")) {
        let chunk = tokio::time::timeout_at(deadline, events.next())
            .await
            .expect("events timed out")
            .expect("stream open")
            .unwrap();
        buf.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(buf.contains("\"category\":\"performance\""));
    assert!(buf.contains(&id.to_string()), "events name the profile");
    s.stop().await;
}

async fn status_of(s: &TestServer, path_and_query: &str) -> (u16, serde_json::Value) {
    let r = reqwest::get(s.url(path_and_query)).await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or_default())
}

/// Everything is checked before anything runs: a clear 400 in the one error format, and
/// the target sees no request.
#[tokio::test]
async fn bad_run_parameters_are_rejected_before_anything_runs() {
    let t: Target = target().await;
    let s = server_with(|c| {
        c.perf_max_duration_secs = 60;
        c.perf_max_connections = 8;
    })
    .await;
    let c = s.client();
    let id = profile(&c, &t.url("/delay/0"), 10, 1, "1s").await;
    let base = format!("/api/user/performance/profiles/{id}/run");
    for (query, needle) in [
        ("", "name"),
        ("?name=%20", "name"),
        ("?name=x&url=ftp://host/", "http"),
        ("?name=x&url=/relative", "url"),
        ("?name=x&qps=-1", "qps"),
        ("?name=x&c=0", "c"),
        ("?name=x&c=9", "limit"),
        ("?name=x&t=0", "t"),
        ("?name=x&t=2&dur=m", "limit"),
        ("?name=x&dur=d", "dur"),
        ("?name=x&loadGenerator=nighthawk", "loadGenerator"),
        ("?name=x&headers=%5B1%5D", "headers"),
        ("?name=x&cookies=%7B%22a%22%3A1%7D", "cookies"),
    ] {
        let (status, body) = status_of(&s, &format!("{base}{query}")).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert_eq!(assert_error_body(&body), "meshery-server-1000");
        let msg = body["error"].as_str().unwrap();
        assert!(msg.contains(needle), "{query}: {msg}");
    }
    let unknown = uuid::Uuid::new_v4();
    let (status, _) = status_of(
        &s,
        &format!("/api/user/performance/profiles/{unknown}/run?name=x"),
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(t.served.get(), 0, "nothing was sent");
    let all = c.get_perf_results().send().await.unwrap().into_inner();
    assert_eq!(all.total_count, 0, "nothing was stored");
    s.stop().await;
}

fn smp_yaml(url: &str, profile: Option<uuid::Uuid>) -> String {
    let id = profile.map(|p| format!("  id: {p}\n")).unwrap_or_default();
    format!(
        "test:\n{id}  name: smp yaml\n  duration: 1s\n  clients:\n    - connections: 1\n      rps: 20\n      load_generator: fortio\n      headers:\n        x-run: smp\n      endpoint_urls: [\"{url}\"]\nmesh:\n  type: LINKERD\n"
    )
}

/// `POST /api/perf/profile` runs an SMP test configuration sent as YAML or JSON; with a
/// profile id the result joins that profile.
#[tokio::test]
async fn smp_configurations_run_as_yaml_or_json() {
    let t = target().await;
    let s = server().await;
    let c = s.client();
    let id = profile(&c, &t.url("/delay/0"), 10, 1, "1s").await;
    let yaml = reqwest::Client::new()
        .post(s.url("/api/perf/profile"))
        .header("content-type", "application/yaml")
        .body(smp_yaml(&t.url("/delay/0"), Some(id)))
        .send()
        .await
        .unwrap();
    assert_eq!(yaml.status(), 200);
    let mut stream = progenitor_client::ByteStream::new(Box::pin(yaml.bytes_stream()));
    let msgs = read_messages(&mut stream, 30, is_final).await;
    let r = msgs.last().unwrap().result.clone().expect("stored");
    assert_eq!(r.mesh, "LINKERD");
    assert_eq!(r.performance_profile, Some(id));
    assert!((18..=22).contains(&r.smp.requests), "{}", r.smp.requests);

    let json: types::SmpTestConfig = serde_json::from_value(serde_json::json!({
        "test": {"name": "smp json", "duration": "1s",
                 "clients": [{"rps": 10, "endpoint_urls": [t.url("/status/204")]}]}
    }))
    .unwrap();
    let mut stream = c
        .run_perf_test()
        .body(json)
        .send()
        .await
        .unwrap()
        .into_inner();
    let msgs = read_messages(&mut stream, 30, is_final).await;
    let r = msgs.last().unwrap().result.clone().expect("stored");
    assert_eq!(r.performance_profile, None);
    assert_eq!(ret_code(&r, "204"), r.smp.requests as u64);

    // Broken YAML and a config without endpoints are 400s.
    for (ct, body) in [
        ("application/yaml", "test: ["),
        (
            "application/json",
            r#"{"test":{"name":"x","duration":"1s","clients":[{"endpoint_urls":[]}]}}"#,
        ),
        (
            "application/json",
            r#"{"test":{"name":"x","duration":"1 second","clients":[{"endpoint_urls":["http://a"]}]}}"#,
        ),
    ] {
        let r = reqwest::Client::new()
            .post(s.url("/api/perf/profile"))
            .header("content-type", ct)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{body}");
        assert_error_body(&r.json().await.unwrap());
    }
    s.stop().await;
}

/// Result lists page, search and bound by start time; other paths serve the same list.
#[tokio::test]
async fn results_are_listed_by_time_and_name() {
    let t = target().await;
    let s = server().await;
    let c = s.client();
    let id = profile(&c, &t.url("/delay/0"), 20, 1, "1s").await;
    let mut starts = Vec::new();
    for name in ["alpha", "beta"] {
        let mut stream = c
            .run_performance_profile()
            .id(id)
            .name(name)
            .send()
            .await
            .unwrap()
            .into_inner();
        let msgs = read_messages(&mut stream, 30, is_final).await;
        starts.push(msgs.last().unwrap().result.clone().unwrap().test_start_time);
    }
    let all = c.get_perf_results().send().await.unwrap().into_inner();
    assert_eq!(all.total_count, 2);
    assert_eq!(all.results[0].name, "beta", "newest first");
    let asc = c
        .get_performance_results()
        .order(types::SortOrder::Asc)
        .pagesize(std::num::NonZeroU64::new(1).unwrap())
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!((asc.total_count, asc.results.len()), (2, 1));
    assert_eq!(asc.results[0].name, "alpha");
    let after_first = c
        .get_user_performance_results()
        .from(starts[0] + chrono::Duration::milliseconds(1))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(after_first.total_count, 1);
    assert_eq!(after_first.results[0].name, "beta");
    let until_first = c
        .get_perf_results()
        .to(starts[0])
        .search("ALP")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(until_first.total_count, 1);
    let (status, body) = status_of(
        &s,
        "/api/perf/profile/result?from=2999-01-02T00:00:00Z&to=2000-01-01T00:00:00Z",
    )
    .await;
    assert_eq!(
        (status, &body["totalCount"]),
        (200, &serde_json::json!(0)),
        "an empty window: {body}"
    );
    let (status, _) = status_of(
        &s,
        &format!("/api/perf/profile/result/{}", uuid::Uuid::new_v4()),
    )
    .await;
    assert_eq!(status, 404);
    s.stop().await;
}

/// Stored SMP test configurations: saved with an id, listed, fetched by id, replaced, deleted.
#[tokio::test]
async fn smp_test_configurations_are_stored() {
    let s = server().await;
    let c = s.client();
    let cfg: types::PerformanceTestConfig = serde_json::from_value(serde_json::json!({
        "name": "nightly", "duration": "30s", "labels": {"team": "mesh"},
        "clients": [{"connections": 4, "rps": 100, "endpoint_urls": ["http://svc/"]}]
    }))
    .unwrap();
    let saved = c
        .save_perf_test_config()
        .body(cfg.clone())
        .send()
        .await
        .unwrap()
        .into_inner();
    let cfg_id = saved.id.expect("an id");
    assert_eq!(
        serde_json::to_value(&saved.clients).unwrap(),
        serde_json::to_value(&cfg.clients).unwrap()
    );
    let mut renamed = saved.clone();
    renamed.name = "nightly-2".parse().unwrap();
    c.save_perf_test_config()
        .body(renamed)
        .send()
        .await
        .unwrap();
    let page = c.get_perf_test_configs().send().await.unwrap().into_inner();
    assert_eq!(page.total_count, 1, "replaced, not added");
    assert_eq!(page.test_configs[0].name.as_str(), "nightly-2");
    let one = c
        .get_perf_test_configs()
        .uuid(cfg_id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(one.test_configs[0].id, Some(cfg_id));
    c.delete_perf_test_config()
        .uuid(cfg_id)
        .send()
        .await
        .unwrap();
    let gone = c.get_perf_test_configs().uuid(cfg_id).send().await;
    assert_eq!(gone.unwrap_err().status().map(|s| s.as_u16()), Some(404));
    let meshes = c.get_meshes().send().await.unwrap().into_inner();
    assert!(meshes.meshes.iter().any(|m| m == "ISTIO"));
    s.stop().await;
}

/// Shutting down cancels a running test; what it measured is stored, marked `Cancelled`, and a
/// new server on the same database lists it. (That `Running::wait` holds the store open for it
/// is not observable here: the insert usually wins the race anyway.)
#[tokio::test]
async fn a_shutdown_stores_the_cancelled_run() {
    let t = target().await;
    let dir = temp_dir();
    let db = format!("sqlite://{}?mode=rwc", dir.join("kept.sql").display());
    let first = server_with(|c| c.database_url = Some(db.clone())).await;
    let c = first.client();
    let id = profile(&c, &t.url("/delay/0"), 50, 1, "60s").await;
    let mut stream = c
        .run_performance_profile()
        .id(id)
        .name("cut short")
        .send()
        .await
        .unwrap()
        .into_inner();
    // Wait until requests have been answered, then stop the server mid-run.
    read_messages(&mut stream, 10, |m| {
        m.progress.as_ref().is_some_and(|p| p.requests > 0)
    })
    .await;
    // With no request left open, nothing but the run itself keeps the server from closing.
    drop(stream);
    first.stop().await;
    let second = server_with(|c| c.database_url = Some(db.clone())).await;
    let page = second
        .client()
        .get_user_performance_profile_results()
        .id(id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(page.total_count, 1, "stored before the store closed");
    let r = &page.results[0];
    assert_eq!(r.runner_results["Cancelled"], true);
    assert!(
        r.smp.requests > 0 && r.smp.requests < 3000,
        "{}",
        r.smp.requests
    );
    second.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}
