//! Performance profiles through the generated client, at both of Meshery's paths.

use crate::common::*;
use meshery_server::client::types;

fn input(name: &str) -> types::PerformanceProfileInput {
    serde_json::from_value(
        serde_json::json!({"name": name, "endpoints": ["http://127.0.0.1:1/x"], "duration": "30s"}),
    )
    .unwrap()
}

#[tokio::test]
async fn profiles_are_saved_listed_updated_and_deleted() {
    let s = server().await;
    let c = s.client();
    let a = c
        .save_user_performance_profile()
        .body(input("istio baseline"))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(a.concurrent_request, 1);
    assert_eq!(a.load_generators, vec![types::LoadGenerator::Fortio]);
    let b = c
        .upsert_performance_profile()
        .body(input("linkerd"))
        .send()
        .await
        .unwrap()
        .into_inner();
    // Both paths see the same profiles.
    let page = c
        .get_performance_profiles()
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(page.total_count, 2);
    assert_eq!(page.profiles[0].id, b.id, "newest update first");
    let found = c
        .get_user_performance_profiles()
        .search("ISTIO")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(found.total_count, 1);
    // Update in place by id.
    let mut changed = input("istio tuned");
    changed.id = Some(a.id);
    changed.qps = Some(100);
    let updated = c
        .save_user_performance_profile()
        .body(changed)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (updated.id, updated.qps, updated.created_at),
        (a.id, 100, a.created_at)
    );
    assert_eq!(
        c.get_performance_profile()
            .id(a.id)
            .send()
            .await
            .unwrap()
            .into_inner()
            .name,
        "istio tuned"
    );
    c.delete_user_performance_profile()
        .id(a.id)
        .send()
        .await
        .unwrap();
    let gone = c
        .get_user_performance_profile()
        .id(a.id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(gone.status().map(|s| s.as_u16()), Some(404));
    assert_eq!(
        c.delete_performance_profile()
            .id(a.id)
            .send()
            .await
            .unwrap_err()
            .status()
            .map(|s| s.as_u16()),
        Some(404)
    );
    s.stop().await;
}

#[tokio::test]
async fn mesheryctl_snake_case_bodies_are_accepted_and_bad_ones_refused() {
    let s = server().await;
    let http = reqwest::Client::new();
    let body = serde_json::json!({"name": "from mesheryctl", "endpoints": ["https://example.test/"], "duration": "1m",
        "concurrent_request": 8, "load_generators": ["wrk2"], "service_mesh": "istio", "qps": 50});
    let p: serde_json::Value = http
        .post(s.url("/api/user/performance/profiles"))
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (
            p["concurrentRequest"].as_i64(),
            p["loadGenerators"][0].as_str(),
            p["serviceMesh"].as_str()
        ),
        (Some(8), Some("wrk2"), Some("istio")),
        "{p}"
    );
    for bad in [
        serde_json::json!({"name": "x", "endpoints": [], "duration": "30s"}),
        serde_json::json!({"name": "x", "endpoints": ["http://h/"], "duration": "30 parsecs"}),
        serde_json::json!({"name": "x", "endpoints": ["http://h/"], "duration": "30s", "concurrentRequest": 0}),
        serde_json::json!({"name": "", "endpoints": ["http://h/"], "duration": "30s"}),
        serde_json::json!({"name": "x", "endpoints": ["http://h/"], "duration": "30s", "id": uuid::Uuid::new_v4()}),
    ] {
        let r = http
            .post(s.url("/api/performance/profiles"))
            .json(&bad)
            .send()
            .await
            .unwrap();
        assert!(
            r.status() == 400 || r.status() == 404,
            "{bad}: {}",
            r.status()
        );
        assert_error_body(&r.json().await.unwrap());
    }
    let page: serde_json::Value = http
        .get(s.url("/api/performance/profiles"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["totalCount"], 1, "nothing stored from the bad bodies");
    s.stop().await;
}
