use crate::common::*;
use futures::StreamExt;
use meshery_server::client::types::{self, EventStatus, Severity};
use std::time::Duration;

fn new_event(
    sev: Severity,
    action: &str,
    category: &str,
    description: &str,
) -> types::builder::NewEvent {
    types::NewEvent::builder()
        .severity(sev)
        .action(action)
        .category(category)
        .description(description)
}

#[tokio::test]
async fn create_list_filter_mark_and_delete() {
    let s = server().await;
    let c = s.client();
    let a = c
        .create_event()
        .body(new_event(
            Severity::Error,
            "deploy",
            "pattern",
            "Deploy failed",
        ))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(a.status, EventStatus::Unread);
    assert_eq!(a.user_id, "meshery");
    let b = c
        .create_event()
        .body(new_event(Severity::Success, "undeploy", "pattern", "done"))
        .send()
        .await
        .unwrap()
        .into_inner();
    let _x = c
        .create_event()
        .body(new_event(Severity::Informational, "login", "auth", "hello"))
        .send()
        .await
        .unwrap()
        .into_inner();

    let page = c.get_events().send().await.unwrap().into_inner();
    assert_eq!(page.total_count, 3);
    assert_eq!(page.page_size, 25);
    assert!(
        page.events[0].created_at >= page.events[2].created_at,
        "newest first"
    );
    let asc = c
        .get_events()
        .order(types::SortOrder::Asc)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(asc.events[0].id, a.id);

    let by_cat = c
        .get_events()
        .category(vec!["pattern".to_string()])
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(by_cat.total_count, 2);
    let by_sev = c
        .get_events()
        .severity(vec![Severity::Error])
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(by_sev.total_count, 1);
    assert_eq!(by_sev.count_by_severity_level.len(), 1);
    let by_search = c
        .get_events()
        .search("DEPLOY")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        by_search.total_count, 2,
        "case-insensitive on description and action"
    );
    let pct = c
        .get_events()
        .search("%")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(pct.total_count, 0, "LIKE wildcards are escaped");
    let paged = c
        .get_events()
        .pagesize(2)
        .page(1)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(paged.events.len(), 1);

    let read = c
        .update_event_status()
        .id(a.id)
        .body(types::EventStatusUpdate {
            status: EventStatus::Read,
        })
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(read.status, EventStatus::Read);
    let unread = c
        .get_events()
        .status(EventStatus::Unread)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(unread.total_count, 2);
    let bulk = c
        .bulk_update_event_status()
        .body(types::BulkEventStatusUpdate {
            ids: vec![a.id, b.id, uuid::Uuid::new_v4()],
            status: EventStatus::Read,
        })
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(bulk.updated, 2, "unknown ids are ignored");

    let types = c.get_event_types().send().await.unwrap().into_inner();
    assert_eq!(types.category, vec!["auth", "pattern"]);
    assert_eq!(types.action, vec!["deploy", "login", "undeploy"]);

    c.delete_event().id(a.id).send().await.unwrap();
    let again = c.delete_event().id(a.id).send().await.unwrap_err();
    assert_eq!(again.status().map(|s| s.as_u16()), Some(404));
    let n = c
        .bulk_delete_events()
        .body(types::BulkEventIds { ids: vec![b.id] })
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(n.updated, 1);
    assert_eq!(
        c.get_events()
            .send()
            .await
            .unwrap()
            .into_inner()
            .total_count,
        1
    );
    s.stop().await;
}

#[tokio::test]
async fn invalid_input_is_a_400_and_stores_nothing() {
    let s = server().await;
    let http = reqwest::Client::new();
    let bad_bodies = [
        r#"{"severity":"loud","action":"a","category":"c","description":"d"}"#,
        r#"{"severity":"error","action":"","category":"c","description":"d"}"#,
        r#"{"severity":"error","category":"c","description":"d"}"#,
        r#"{"severity":"error","action":"a","category":"c","description":"d","metadata":5}"#,
        r#"not json"#,
        r#"[]"#,
        r#"{"severity":"error","action":7,"category":"c","description":"d"}"#,
        r#"{"severity":"error","action":"a","category":"c","description":false}"#,
    ];
    for body in bad_bodies {
        let r = http
            .post(s.url("/api/system/events"))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{body}");
        assert_eq!(
            assert_error_body(&r.json().await.unwrap()),
            "meshery-server-1000",
            "{body}"
        );
    }
    let r = http
        .post(s.url("/api/system/events"))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        400,
        "a body without a JSON content type is an invalid request"
    );
    assert_error_body(&r.json().await.unwrap());
    for q in [
        "pagesize=0",
        "pagesize=101",
        "page=-1",
        "order=sideways",
        "severity=loud",
        "status=maybe",
    ] {
        let r = http
            .get(s.url(&format!("/api/system/events?{q}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{q}");
        assert_error_body(&r.json().await.unwrap());
    }
    let r = http
        .put(s.url("/api/system/events/status/not-a-uuid"))
        .header("content-type", "application/json")
        .body(r#"{"status":"read"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let r = http
        .put(s.url("/api/system/events/status/bulk"))
        .header("content-type", "application/json")
        .body(r#"{"ids":[],"status":"read"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(
        s.client()
            .get_events()
            .send()
            .await
            .unwrap()
            .into_inner()
            .total_count,
        0
    );
    s.stop().await;
}

#[tokio::test]
async fn sse_stream_delivers_new_and_changed_events_with_keepalives() {
    let s = server_with(|c| c.sse_keepalive_secs = 1).await;
    let c = s.client();
    let resp = c.subscribe_events().send().await.unwrap();
    let mut stream = resp.into_inner();
    let mut buf = String::new();
    let created = c
        .create_event()
        .body(new_event(Severity::Warning, "sync", "k8s", "streamed"))
        .send()
        .await
        .unwrap()
        .into_inner();
    c.update_event_status()
        .id(created.id)
        .body(types::EventStatusUpdate {
            status: EventStatus::Read,
        })
        .send()
        .await
        .unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !(buf.matches("\"streamed\"").count() >= 2
        && buf.contains("\"read\"")
        && buf.contains("\n:"))
    {
        let chunk = tokio::time::timeout_at(deadline, stream.next())
            .await
            .expect("stream timed out")
            .expect("stream open")
            .unwrap();
        buf.push_str(&String::from_utf8_lossy(&chunk));
        if buf.starts_with(':') {
            buf.insert(0, '\n');
        }
    }
    assert!(buf.contains(&created.id.to_string()));
    s.stop().await;
}
