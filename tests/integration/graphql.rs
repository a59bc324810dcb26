//! GraphQL through cynic operations typed against `graphql/schema.graphql`, over HTTP and
//! over WebSocket with both subprotocols.

use crate::common::*;
use cynic::{MutationBuilder, QueryBuilder, SubscriptionBuilder};
use futures::{SinkExt, StreamExt};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

#[cynic::schema("meshery")]
mod schema {}

#[derive(cynic::QueryFragment, Debug)]
#[cynic(graphql_type = "User")]
struct User {
    user_id: String,
    provider: String,
}

#[derive(cynic::QueryFragment, Debug)]
#[cynic(graphql_type = "LoadTestPreferences")]
struct LoadTestPrefs {
    c: i32,
    t: String,
}

#[derive(cynic::QueryFragment, Debug)]
#[cynic(graphql_type = "Preference")]
struct Prefs {
    anonymous_usage_stats: bool,
    load_test_prefs: LoadTestPrefs,
}

#[derive(cynic::QueryFragment, Debug)]
#[cynic(graphql_type = "Event")]
struct Event {
    id: cynic::Id,
    description: String,
    status: EventStatus,
}

#[derive(cynic::Enum, Debug, Clone, Copy, PartialEq)]
enum EventStatus {
    Read,
    Unread,
}

#[derive(cynic::QueryFragment, Debug)]
#[cynic(graphql_type = "EventPage")]
struct EventPage {
    total_count: i32,
    events: Vec<Event>,
}

#[derive(cynic::QueryFragment, Debug)]
#[cynic(graphql_type = "Provider")]
struct Provider {
    name: String,
}

#[derive(cynic::InputObject, Debug, Default)]
#[cynic(graphql_type = "EventFilter")]
struct EventFilter {
    #[cynic(skip_serializing_if = "Option::is_none")]
    search: Option<String>,
    #[cynic(skip_serializing_if = "Option::is_none")]
    page_size: Option<i32>,
}

#[derive(cynic::QueryVariables, Debug)]
struct OverviewVars {
    selector: Option<EventFilter>,
}

#[derive(cynic::QueryFragment, Debug)]
#[cynic(graphql_type = "Query", variables = "OverviewVars")]
struct Overview {
    get_user: User,
    get_user_prefs: Prefs,
    #[arguments(selector: $selector)]
    get_events: EventPage,
    get_providers: Vec<Provider>,
}

#[derive(cynic::InputObject, Debug)]
#[cynic(graphql_type = "PreferenceInput")]
struct PreferenceInput {
    #[cynic(skip_serializing_if = "Option::is_none")]
    anonymous_usage_stats: Option<bool>,
}

#[derive(cynic::InputObject, Debug)]
#[cynic(graphql_type = "EventStatusInput")]
struct EventStatusInput {
    id: cynic::Id,
    status: EventStatus,
}

#[derive(cynic::QueryVariables, Debug)]
struct ChangeVars {
    prefs: PreferenceInput,
    status: EventStatusInput,
}

#[derive(cynic::QueryFragment, Debug)]
#[cynic(graphql_type = "Mutation", variables = "ChangeVars")]
struct Change {
    #[arguments(input: $prefs)]
    update_user_prefs: Prefs,
    #[arguments(input: $status)]
    update_event_status: Event,
}

/// Used for its query text; the WebSocket test reads the frames as JSON.
#[allow(dead_code)]
#[derive(cynic::QueryFragment, Debug)]
#[cynic(graphql_type = "Subscription")]
struct Events {
    subscribe_events: Event,
}

async fn post<T: serde::de::DeserializeOwned>(
    s: &TestServer,
    path: &str,
    op: &impl serde::Serialize,
) -> cynic::GraphQlResponse<T> {
    reqwest::Client::new()
        .post(s.url(path))
        .json(op)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn create_event(s: &TestServer, description: &str) -> String {
    let body = serde_json::json!({"severity": "informational", "action": "test", "category": "graphql", "description": description});
    let r: serde_json::Value = reqwest::Client::new()
        .post(s.url("/api/system/events"))
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    r["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn queries_and_mutations_on_both_paths() {
    let s = server().await;
    let id = create_event(&s, "first").await;
    create_event(&s, "second").await;
    for path in ["/api/graphql/query", "/api/system/graphql/query"] {
        let op = Overview::build(OverviewVars {
            selector: Some(EventFilter {
                search: Some("first".into()),
                page_size: Some(10),
            }),
        });
        let r: cynic::GraphQlResponse<Overview> = post(&s, path, &op).await;
        assert!(r.errors.is_none(), "{:?}", r.errors);
        let d = r.data.unwrap();
        assert_eq!(d.get_user.user_id, "meshery");
        assert_eq!(d.get_user.provider, "Local");
        assert_eq!(d.get_user_prefs.load_test_prefs.t, "30s");
        assert!(d.get_user_prefs.load_test_prefs.c >= 1);
        assert_eq!(d.get_events.total_count, 1);
        assert_eq!(d.get_events.events[0].description, "first");
        assert_eq!(d.get_events.events[0].id.inner(), id);
        assert_eq!(d.get_providers[0].name, "Local");
    }
    let op = Change::build(ChangeVars {
        prefs: PreferenceInput {
            anonymous_usage_stats: Some(false),
        },
        status: EventStatusInput {
            id: cynic::Id::new(&id),
            status: EventStatus::Read,
        },
    });
    let r: cynic::GraphQlResponse<Change> = post(&s, "/api/graphql/query", &op).await;
    let d = r.data.unwrap();
    assert!(!d.update_user_prefs.anonymous_usage_stats);
    assert_eq!(d.update_event_status.status, EventStatus::Read);
    // REST sees what GraphQL changed: one source of truth.
    let p = s
        .client()
        .get_user_prefs()
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(!p.anonymous_usage_stats);
    s.stop().await;
}

#[tokio::test]
async fn errors_carry_the_error_code() {
    let s = server().await;
    let http = reqwest::Client::new();
    let missing = uuid::Uuid::new_v4();
    let q = format!(r#"mutation {{ deleteEvent(input: {{id: "{missing}"}}) }}"#);
    let r: serde_json::Value = http
        .post(s.url("/api/graphql/query"))
        .json(&serde_json::json!({"query": q}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        r["errors"][0]["extensions"]["code"], "meshery-server-1003",
        "{r}"
    );
    let q = r#"mutation { updateUserPrefs(input: {loadTestPrefs: {c: 0, qps: 1, t: "1m", loadGenerator: "fortio"}}) { anonymousUsageStats } }"#;
    let r: serde_json::Value = http
        .post(s.url("/api/graphql/query"))
        .json(&serde_json::json!({"query": q}))
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
    let r = http
        .post(s.url("/api/graphql/query"))
        .header("accept", "application/graphql-response+json")
        .json(&serde_json::json!({"query": "{ nope }"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        "meshery-server-1008"
    );
    let r = http
        .get(s.url("/api/graphql/query?query=mutation%7B__typename%7D"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);
    s.stop().await;
}

/// Subscribes over WebSocket with `protocol` and returns the first event delivered.
async fn subscribe_and_receive(s: &TestServer, protocol: &str) -> String {
    let mut ws = ws_connect(s, protocol).await;
    let query = Events::build(()).query().to_string();
    let (start, data) = if protocol == "graphql-transport-ws" {
        ("subscribe", "next")
    } else {
        ("start", "data")
    };
    ws.send(Message::Text(
        r#"{"type":"connection_init","payload":{}}"#.into(),
    ))
    .await
    .unwrap();
    let ack = ws.next().await.unwrap().unwrap();
    assert!(ack.to_text().unwrap().contains("connection_ack"), "{ack:?}");
    let sub = serde_json::json!({"id": "1", "type": start, "payload": {"query": query}});
    ws.send(Message::Text(sub.to_string().into()))
        .await
        .unwrap();
    // The subscription is live once the server counts it; then publish.
    let desc = format!("over {protocol}");
    let mut id = String::new();
    let reader = async {
        loop {
            let m = ws.next().await.unwrap().unwrap();
            let Ok(text) = m.to_text() else { continue };
            let v: serde_json::Value = serde_json::from_str(text).unwrap_or_default();
            if v["type"] == data {
                break v["payload"]["data"]["subscribeEvents"]["description"]
                    .as_str()
                    .unwrap()
                    .to_string();
            }
        }
    };
    let writer = async {
        // Keep publishing until the subscriber has seen one: no sleep-based guess of readiness.
        loop {
            id = create_event(s, &desc).await;
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };
    let got = tokio::time::timeout(Duration::from_secs(10), async {
        tokio::select! {
            d = reader => d,
            _ = writer => unreachable!(),
        }
    })
    .await
    .expect("no event within 10 s");
    let _ = id;
    got
}

#[tokio::test]
async fn subscriptions_over_both_websocket_protocols() {
    let s = server().await;
    for protocol in ["graphql-transport-ws", "graphql-ws"] {
        assert_eq!(
            subscribe_and_receive(&s, protocol).await,
            format!("over {protocol}")
        );
    }
    s.stop().await;
}

#[tokio::test]
async fn websocket_without_connection_init_is_closed() {
    let s = server_with(|c| c.ws_init_timeout_secs = 1).await;
    let mut ws = ws_connect(&s, "graphql-transport-ws").await;
    ws_wait_closed(&mut ws, 10, "the server kept a silent socket open").await;
    s.stop().await;
}
