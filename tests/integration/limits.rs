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
async fn oversized_headers_get_431_in_the_error_format() {
    let s = server_with(|c| c.max_header_bytes = 2048).await;
    let r = reqwest::Client::new()
        .get(s.url("/api/user"))
        .header("cookie", "x".repeat(4096))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 431);
    assert_eq!(
        assert_error_body(&r.json().await.unwrap()),
        "meshery-server-1010"
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

#[tokio::test]
async fn oversized_websocket_messages_close_the_connection() {
    use futures::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    let s = server_with(|c| c.ws_max_message_bytes = 1024).await;
    let mut ws = ws_connect(&s, "graphql-transport-ws").await;
    ws.send(Message::Text(r#"{"type":"connection_init"}"#.into()))
        .await
        .unwrap();
    let ack = ws.next().await.unwrap().unwrap();
    assert!(ack.to_text().unwrap().contains("connection_ack"));
    let huge = format!(
        r#"{{"id":"1","type":"subscribe","payload":{{"query":"{}"}}}}"#,
        " ".repeat(8192)
    );
    let _ = ws.send(Message::Text(huge.into())).await;
    ws_wait_closed(
        &mut ws,
        10,
        "an oversized message did not end the connection",
    )
    .await;
    s.stop().await;
}

#[tokio::test]
async fn readiness_reports_an_unavailable_database() {
    let s = server().await;
    let state = s.running.as_ref().unwrap().state.clone();
    state.store.close().await;
    let r = reqwest::get(s.url("/healthz/ready")).await.unwrap();
    assert_eq!(r.status(), 503);
    assert_eq!(
        assert_error_body(&r.json().await.unwrap()),
        "meshery-server-1006"
    );
    let live = reqwest::get(s.url("/healthz/live")).await.unwrap();
    assert_eq!(
        live.status(),
        200,
        "liveness does not depend on the database"
    );
    s.stop().await;
}
