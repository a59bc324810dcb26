use crate::common::*;

#[tokio::test]
async fn oversized_bodies_get_413_in_the_error_format() {
    let s = server_with(|c| c.max_body_bytes = 1024).await;
    let big = format!(
        r#"{{"severity":"error","action":"a","category":"c","description":"{}"}}"#,
        "x".repeat(4096)
    );
    let r = reqwest::Client::new()
        .post(s.url("/api/system/events"))
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    assert_eq!(
        assert_error_body(&r.json().await.unwrap()),
        "meshery-server-1004"
    );
    s.stop().await;
}

#[tokio::test]
async fn graphql_depth_and_complexity_are_limited() {
    let s = server_with(|c| {
        c.graphql_max_depth = 2;
        c.graphql_max_complexity = 5;
    })
    .await;
    let http = reqwest::Client::new();
    let q = "{ getEvents { events { id action category description severity status } } getUser { id userId email } }";
    let r: serde_json::Value = http
        .post(s.url("/api/graphql/query"))
        .json(&serde_json::json!({"query": q}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let msg = r["errors"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .to_lowercase();
    assert!(
        msg.contains("nested too deep") || msg.contains("complex"),
        "{r}"
    );
    assert_eq!(r["errors"][0]["extensions"]["code"], "meshery-server-1008");
    s.stop().await;
}

#[tokio::test]
async fn shutdown_ends_open_sse_streams() {
    let s = server().await;
    let resp = s.client().subscribe_events().send().await.unwrap();
    let mut stream = resp.into_inner();
    let running = {
        let mut s = s;
        s.running.take().unwrap()
    };
    let stopping = tokio::spawn(running.shutdown());
    use futures::StreamExt;
    let ended = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        while let Some(Ok(_)) = stream.next().await {}
    })
    .await;
    assert!(ended.is_ok(), "the SSE stream stayed open after shutdown");
    stopping.await.unwrap().unwrap();
}
