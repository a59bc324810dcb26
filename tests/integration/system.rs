use crate::common::*;

#[tokio::test]
async fn version_health_and_database() {
    let s = server().await;
    let c = s.client();
    let v = c.get_system_version().send().await.unwrap().into_inner();
    assert_eq!(v.build, env!("CARGO_PKG_VERSION"));
    assert!(!v.outdated);
    assert_eq!(
        c.get_health_live().send().await.unwrap().status.to_string(),
        "ok"
    );
    let ready = c.get_health_ready().send().await.unwrap().into_inner();
    assert_eq!(ready.database.as_deref(), Some("ok"));

    let db = c.get_system_database().send().await.unwrap().into_inner();
    assert_eq!(db.total_tables, 6);
    let only_events = c
        .get_system_database()
        .search("events")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(only_events.tables.len(), 1);
    s.stop().await;
}

#[tokio::test]
async fn reset_archives_the_sqlite_file_and_empties_tables() {
    let s = server().await;
    let c = s.client();
    let body = meshery_server::client::types::NewEvent::builder()
        .severity(meshery_server::client::types::Severity::Error)
        .action("deploy")
        .category("pattern")
        .description("boom");
    c.create_event().body(body).send().await.unwrap();
    let reset = c.reset_system_database().send().await.unwrap().into_inner();
    let archive = std::path::PathBuf::from(reset.archived_to.expect("sqlite archive path"));
    assert!(archive.starts_with(s.dir.join(".archive")), "{archive:?}");
    assert!(
        archive
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("mesherydb")
    );
    assert!(std::fs::metadata(&archive).unwrap().len() > 0);
    let db = c.get_system_database().send().await.unwrap().into_inner();
    assert_eq!(db.record_count, 0);
    s.stop().await;
}

#[tokio::test]
async fn unknown_route_and_method_use_the_error_format() {
    let s = server().await;
    let http = reqwest::Client::new();
    let r = http.get(s.url("/api/nope")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(
        assert_error_body(&r.json().await.unwrap()),
        "meshery-server-1003"
    );
    let r = http
        .patch(s.url("/api/system/version"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);
    assert_eq!(r.headers()["allow"], "GET");
    assert_eq!(
        assert_error_body(&r.json().await.unwrap()),
        "meshery-server-1005"
    );
    s.stop().await;
}

#[tokio::test]
async fn metrics_count_requests_by_operation_and_request_ids_are_echoed() {
    let s = server().await;
    let http = reqwest::Client::new();
    let r = http
        .get(s.url("/api/system/version"))
        .header("x-request-id", "abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["x-request-id"], "abc-123");
    let r = http.get(s.url("/api/user")).send().await.unwrap();
    assert!(r.headers().contains_key("x-request-id"));
    let text = http
        .get(s.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.contains(
            "meshery_http_requests_total{operation=\"getSystemVersion\",status=\"200\"} 1"
        ),
        "{text}"
    );
    assert!(
        text.contains("meshery_http_request_duration_seconds_bucket{operation=\"getUser\""),
        "{text}"
    );
    assert!(text.contains("meshery_sse_connections 0"));
    s.stop().await;
}
