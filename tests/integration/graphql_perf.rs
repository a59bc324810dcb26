//! Meshery's performance fields over GraphQL (cynic operations typed against the schema), and
//! the subscriptions for results and live progress over WebSocket.

use crate::common::*;
use crate::target::target;
use cynic::{QueryBuilder, SubscriptionBuilder};
use futures::{SinkExt, StreamExt};
use meshery_server::client::types;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

#[cynic::schema("meshery")]
mod schema {}

#[derive(cynic::InputObject, Debug, Clone)]
#[cynic(graphql_type = "PageFilter")]
struct PageFilter {
    page: String,
    #[cynic(rename = "pageSize")]
    page_size: String,
    #[cynic(skip_serializing_if = "Option::is_none")]
    search: Option<String>,
    #[cynic(skip_serializing_if = "Option::is_none")]
    order: Option<String>,
}

fn first_page() -> PageFilter {
    PageFilter {
        page: "0".into(),
        page_size: "10".into(),
        search: None,
        order: None,
    }
}

#[derive(cynic::QueryFragment, Debug)]
#[cynic(graphql_type = "PerfProfile")]
struct PerfProfile {
    id: cynic::Id,
    name: String,
    #[cynic(rename = "total_results")]
    total_results: i32,
    #[cynic(rename = "load_generators")]
    load_generators: Vec<String>,
}

#[derive(cynic::QueryFragment, Debug)]
#[cynic(graphql_type = "PerfPageProfiles")]
struct PerfPageProfiles {
    #[cynic(rename = "total_count")]
    total_count: i32,
    profiles: Vec<PerfProfile>,
}

#[derive(cynic::Scalar, Debug, Clone)]
struct Map(serde_json::Value);

#[derive(cynic::QueryFragment, Debug)]
#[cynic(graphql_type = "MesheryResult")]
struct MesheryResult {
    #[cynic(rename = "meshery_id")]
    meshery_id: cynic::Id,
    name: String,
    #[cynic(rename = "performance_profile")]
    performance_profile: Option<String>,
    #[cynic(rename = "runner_results")]
    runner_results: Map,
    smp: Map,
}

#[derive(cynic::QueryFragment, Debug)]
#[cynic(graphql_type = "PerfPageResult")]
struct PerfPageResult {
    #[cynic(rename = "total_count")]
    total_count: i32,
    results: Vec<MesheryResult>,
}

#[derive(cynic::QueryVariables, Debug)]
struct PerfVars {
    selector: PageFilter,
    profile: String,
    result: cynic::Id,
    missing: cynic::Id,
}

#[derive(cynic::QueryFragment, Debug)]
#[cynic(graphql_type = "Query", variables = "PerfVars")]
struct PerfOverview {
    #[arguments(selector: $selector)]
    get_performance_profiles: PerfPageProfiles,
    #[arguments(selector: $selector, profileID: $profile)]
    fetch_results: PerfPageResult,
    #[arguments(selector: $selector)]
    fetch_all_results: PerfPageResult,
    #[arguments(id: $result)]
    get_perf_result: Option<MesheryResult>,
    #[arguments(id: $missing)]
    #[cynic(alias, rename = "getPerfResult")]
    missing_result: Option<MesheryResult>,
}

#[derive(cynic::QueryVariables, Debug)]
struct WatchVars {
    selector: PageFilter,
    profile: String,
}

/// Read as JSON from the WebSocket frames; the fields make the query text.
#[allow(dead_code)]
#[derive(cynic::QueryFragment, Debug)]
#[cynic(graphql_type = "PerfProgress")]
struct PerfProgress {
    #[cynic(rename = "runID")]
    run_id: cynic::Id,
    status: String,
    requests: i32,
    #[cynic(rename = "currentQps")]
    current_qps: f64,
    result: Option<MesheryResult>,
}

/// Used for its query text; the WebSocket test reads the frames as JSON.
#[allow(dead_code)]
#[derive(cynic::QueryFragment, Debug)]
#[cynic(graphql_type = "Subscription", variables = "WatchVars")]
struct WatchResults {
    #[arguments(selector: $selector, profileID: $profile)]
    subscribe_perf_results: PerfPageResult,
}

/// Used for its query text.
#[allow(dead_code)]
#[derive(cynic::QueryFragment, Debug)]
#[cynic(graphql_type = "Subscription", variables = "WatchVars")]
struct WatchProfiles {
    #[arguments(selector: $selector)]
    subscribe_perf_profiles: PerfPageProfiles,
}

/// Used for its query text.
#[allow(dead_code)]
#[derive(cynic::QueryFragment, Debug)]
#[cynic(graphql_type = "Subscription", variables = "WatchVars")]
struct WatchProgress {
    #[arguments(profileID: $profile)]
    subscribe_perf_progress: PerfProgress,
}

async fn profile(s: &TestServer, url: &str) -> uuid::Uuid {
    let body: types::PerformanceProfileInput = serde_json::from_value(serde_json::json!({
        "name": "graphql target", "endpoints": [url], "duration": "2s", "qps": 50,
    }))
    .unwrap();
    s.client()
        .save_user_performance_profile()
        .body(body)
        .send()
        .await
        .unwrap()
        .into_inner()
        .id
}

/// Starts a run and returns once it is stored (reading its SSE stream to the end).
async fn run_to_end(s: &TestServer, id: uuid::Uuid, name: &str) {
    let mut stream = s
        .client()
        .run_performance_profile()
        .id(id)
        .name(name)
        .send()
        .await
        .unwrap()
        .into_inner();
    let all = tokio::time::timeout(Duration::from_secs(30), async {
        let mut buf = Vec::new();
        while let Some(chunk) = stream.next().await {
            buf.extend_from_slice(&chunk.unwrap());
        }
        String::from_utf8(buf).unwrap()
    })
    .await
    .expect("the run ends");
    assert!(all.contains("\"status\":\"success\""), "{all}");
}

#[tokio::test]
async fn profiles_and_results_over_graphql() {
    let t = target().await;
    let s = server().await;
    let id = profile(&s, &t.url("/delay/0")).await;
    run_to_end(&s, id, "graphql run").await;
    let stored = s
        .client()
        .get_perf_results()
        .send()
        .await
        .unwrap()
        .into_inner()
        .results
        .remove(0);
    let op = PerfOverview::build(PerfVars {
        selector: first_page(),
        profile: id.to_string(),
        result: cynic::Id::new(stored.meshery_id.to_string()),
        missing: cynic::Id::new(uuid::Uuid::new_v4().to_string()),
    });
    let r: cynic::GraphQlResponse<PerfOverview> = reqwest::Client::new()
        .post(s.url("/api/graphql/query"))
        .json(&op)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(r.errors.is_none(), "{:?}", r.errors);
    let d = r.data.unwrap();
    let p = &d.get_performance_profiles;
    assert_eq!(p.total_count, 1);
    assert_eq!(p.profiles[0].id.inner(), id.to_string());
    assert_eq!(p.profiles[0].name, "graphql target");
    assert_eq!(p.profiles[0].total_results, 1);
    assert_eq!(p.profiles[0].load_generators, vec!["fortio"]);
    assert_eq!(d.fetch_results.total_count, 1);
    assert_eq!(d.fetch_results.results[0].name, "graphql run");
    assert_eq!(d.fetch_all_results.total_count, 1);
    let one = d.get_perf_result.expect("the stored result");
    assert_eq!(one.name, "graphql run");
    assert_eq!(one.meshery_id.inner(), stored.meshery_id.to_string());
    assert_eq!(one.performance_profile, Some(id.to_string()));
    assert_eq!(one.runner_results.0["RunType"], "HTTP");
    assert_eq!(
        one.smp.0["requests"].as_i64(),
        Some(stored.smp.requests),
        "the same result as REST"
    );
    assert!(d.missing_result.is_none());

    // `updated_after` bounds both lists by their last update.
    let later = serde_json::json!({
        "query": "query($s: PageFilter!, $p: String!) { getPerformanceProfiles(selector: $s) { total_count } fetchResults(selector: $s, profileID: $p) { total_count } }",
        "variables": {"s": {"page": "0", "pageSize": "10", "updated_after": "2999-01-01T00:00:00Z"}, "p": id.to_string()}
    });
    let r: serde_json::Value = reqwest::Client::new()
        .post(s.url("/api/graphql/query"))
        .json(&later)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["data"]["getPerformanceProfiles"]["total_count"], 0, "{r}");
    assert_eq!(r["data"]["fetchResults"]["total_count"], 0, "{r}");

    // Meshery's string numbers are checked: a clear error with the code.
    let bad = serde_json::json!({
        "query": "query($s: PageFilter!) { fetchAllResults(selector: $s) { total_count } }",
        "variables": {"s": {"page": "zero", "pageSize": "10"}}
    });
    let r: serde_json::Value = reqwest::Client::new()
        .post(s.url("/api/graphql/query"))
        .json(&bad)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        r["errors"][0]["extensions"]["code"], "meshery-server-1000",
        "{r}"
    );
    s.stop().await;
}

/// Over graphql-transport-ws: `subscribePerfResults` and `subscribePerfProfiles` send the page
/// at once and again when a run of the profile is stored; `subscribePerfProgress` streams the run as it goes, ending
/// with `success` and the result.
#[tokio::test]
async fn results_and_progress_subscriptions() {
    let t = target().await;
    let s = server().await;
    let id = profile(&s, &t.url("/delay/0")).await;
    let mut ws = ws_connect(&s, "graphql-transport-ws").await;
    ws.send(Message::Text(
        r#"{"type":"connection_init","payload":{}}"#.into(),
    ))
    .await
    .unwrap();
    let ack = ws.next().await.unwrap().unwrap();
    assert!(ack.to_text().unwrap().contains("connection_ack"), "{ack:?}");
    let vars = || WatchVars {
        selector: first_page(),
        profile: id.to_string(),
    };
    for (sub_id, op) in [
        (
            "progress",
            serde_json::to_value(WatchProgress::build(vars())).unwrap(),
        ),
        (
            "profiles",
            serde_json::to_value(WatchProfiles::build(vars())).unwrap(),
        ),
        (
            "results",
            serde_json::to_value(WatchResults::build(vars())).unwrap(),
        ),
    ] {
        let msg = serde_json::json!({"id": sub_id, "type": "subscribe", "payload": op});
        ws.send(Message::Text(msg.to_string().into()))
            .await
            .unwrap();
    }
    let mut pages = Vec::new();
    let mut profile_pages = Vec::new();
    let mut progress = Vec::new();
    let mut started = false;
    tokio::time::timeout(Duration::from_secs(30), async {
        while pages.len() < 2
            || profile_pages.len() < 2
            || progress
                .last()
                .is_none_or(|p: &serde_json::Value| p["status"] != "success")
        {
            let m = ws.next().await.unwrap().unwrap();
            let Ok(text) = m.to_text() else { continue };
            let v: serde_json::Value = serde_json::from_str(text).unwrap_or_default();
            assert_ne!(v["type"], "error", "{v}");
            if v["type"] != "next" {
                continue;
            }
            let data = &v["payload"]["data"];
            if v["id"] == "results" {
                pages.push(
                    data["subscribePerfResults"]["total_count"]
                        .as_i64()
                        .unwrap(),
                );
                if !started {
                    // The results subscription is live (it sent the page): start the run. The
                    // progress subscription was sent first; the run lasts 2 s, so its
                    // `success` message comes long after both are live.
                    started = true;
                    let client = s.client();
                    tokio::spawn(async move {
                        let _ = client
                            .run_performance_profile()
                            .id(id)
                            .name("watched")
                            .send()
                            .await;
                    });
                }
            } else if v["id"] == "profiles" {
                profile_pages.push(
                    data["subscribePerfProfiles"]["profiles"][0]["total_results"]
                        .as_i64()
                        .unwrap(),
                );
            } else {
                progress.push(data["subscribePerfProgress"].clone());
            }
        }
    })
    .await
    .expect("the subscriptions deliver within 30 s");
    assert_eq!(pages[0], 0, "the page at once");
    assert_eq!(pages[1], 1, "again after the run was stored");
    assert_eq!(
        profile_pages[..2],
        [0, 1],
        "the profile's result count, then again after the run"
    );
    let last = progress.last().unwrap();
    assert_eq!(last["result"]["name"], "watched");
    assert!(last["requests"].as_i64().unwrap() >= 90, "{last}");
    assert!(
        progress
            .iter()
            .any(|p| p["status"] == "info" && p["requests"].as_i64() > Some(0)),
        "progress while running: {progress:?}"
    );
    let run_ids: std::collections::HashSet<_> =
        progress.iter().map(|p| p["runID"].to_string()).collect();
    assert_eq!(run_ids.len(), 1, "one run");
    s.stop().await;
}
