//! Remote-provider authentication: every operation the contract secures refuses a request
//! without credentials, and bad tokens of every kind are refused.

use crate::common::*;
use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use meshery_server::generated::rest::OPERATIONS;
use poem::listener::{Acceptor, Listener, TcpListener};
use poem::{EndpointExt, Route, get, handler, web::Json};

const KEY: &[u8] = include_bytes!("../fixtures/jwt-test-key.pem");
const OTHER_KEY: &[u8] = include_bytes!("../fixtures/jwt-other-key.pem");

#[handler]
fn keys(set: poem::web::Data<&JwkSet>) -> Json<JwkSet> {
    Json(set.0.clone())
}

/// A stand-in provider that publishes its JWKS at `/keys`; returns its base URL.
async fn jwks_server() -> String {
    let mut jwk =
        Jwk::from_encoding_key(&EncodingKey::from_rsa_pem(KEY).unwrap(), Algorithm::RS256).unwrap();
    jwk.common.key_id = Some("k1".into());
    let set = JwkSet { keys: vec![jwk] };
    let acceptor = TcpListener::bind("127.0.0.1:0")
        .into_acceptor()
        .await
        .unwrap();
    let addr = acceptor.local_addr()[0].as_socket_addr().cloned().unwrap();
    let app = Route::new().at("/keys", get(keys)).data(set);
    tokio::spawn(poem::Server::new_with_acceptor(acceptor).run(app));
    format!("http://{addr}")
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn token(key: &[u8], kid: Option<&str>, claims: serde_json::Value) -> String {
    let mut h = Header::new(Algorithm::RS256);
    h.kid = kid.map(str::to_string);
    jsonwebtoken::encode(&h, &claims, &EncodingKey::from_rsa_pem(key).unwrap()).unwrap()
}

fn good_claims() -> serde_json::Value {
    serde_json::json!({"sub": "user-1", "email": "u@example.com", "given_name": "Ada", "exp": now() + 600})
}

async fn remote_server() -> (TestServer, String) {
    let base = jwks_server().await;
    let name = base.trim_start_matches("http://").to_string();
    let s = server_with(|c| {
        c.provider_base_urls = vec![base.clone()];
        c.provider = name.clone();
    })
    .await;
    (s, name)
}

fn concrete(path: &str) -> String {
    path.replace("{id}", &uuid::Uuid::new_v4().to_string())
}

#[tokio::test]
async fn every_secured_operation_refuses_anonymous_requests() {
    let (s, _) = remote_server().await;
    let http = reqwest::Client::new();
    let mut secured = 0;
    for op in OPERATIONS {
        let method: reqwest::Method = op.method.parse().unwrap();
        let r = http
            .request(method, s.url(&concrete(op.path)))
            .header("content-type", "application/json")
            .header("accept", "application/json")
            .body("{}")
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        if op.public {
            assert_ne!(status, 401, "{} {} is public", op.method, op.path);
        } else {
            secured += 1;
            assert_eq!(
                status, 401,
                "{} {} ({}) must need credentials",
                op.method, op.path, op.operation_id
            );
            assert_eq!(
                assert_error_body(&r.json().await.unwrap()),
                "meshery-server-1001"
            );
        }
    }
    assert!(
        secured >= 14,
        "the walk covered {secured} secured operations"
    );
    let mut public: Vec<_> = OPERATIONS
        .iter()
        .filter(|o| o.public)
        .map(|o| o.path)
        .collect();
    public.sort();
    assert_eq!(
        public,
        [
            "/api/provider",
            "/api/providers",
            "/api/providers/stream",
            "/api/system/version",
            "/api/user/token",
            "/healthz/live",
            "/healthz/ready",
            "/user/login",
            "/user/logout"
        ]
    );
    s.stop().await;
}

#[tokio::test]
async fn a_valid_token_works_as_bearer_and_as_cookie() {
    let (s, name) = remote_server().await;
    let http = reqwest::Client::new();
    let t = token(KEY, Some("k1"), good_claims());
    let r = http
        .get(s.url("/api/user"))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let u: serde_json::Value = r.json().await.unwrap();
    assert_eq!(
        (u["id"].as_str(), u["provider"].as_str()),
        (Some("user-1"), Some(name.as_str()))
    );

    use base64::Engine;
    let oauth = serde_json::json!({"access_token": t, "token_type": "bearer"}).to_string();
    let cookie_value = base64::engine::general_purpose::STANDARD.encode(oauth);
    let cookie = format!("meshery-provider={name}; token={cookie_value}");
    let r = http
        .get(s.url("/api/token"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let file: serde_json::Value = r.json().await.unwrap();
    // As Meshery: the cookie's value, which mesheryctl sends back as the `token` cookie.
    assert_eq!(file["token"].as_str(), Some(cookie_value.as_str()));
    assert_eq!(file["meshery-provider"].as_str(), Some(name.as_str()));

    // The Local provider still answers without a token on the same server.
    let r = http
        .get(s.url("/api/user"))
        .header("meshery-provider", "Local")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    s.stop().await;
}

#[tokio::test]
async fn bad_tokens_are_refused() {
    let (s, _) = remote_server().await;
    let http = reqwest::Client::new();
    let hs256 = {
        let h = Header {
            kid: Some("k1".into()),
            ..Header::new(Algorithm::HS256)
        };
        jsonwebtoken::encode(
            &h,
            &good_claims(),
            &EncodingKey::from_secret(b"public-key-as-secret").unwrap(),
        )
        .unwrap()
    };
    let none_alg = {
        use base64::Engine;
        let e = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        format!(
            "{}.{}.",
            e.encode(r#"{"alg":"none","kid":"k1"}"#),
            e.encode(good_claims().to_string())
        )
    };
    let good = token(KEY, Some("k1"), good_claims());
    let tampered = {
        let mut parts: Vec<String> = good.split('.').map(str::to_string).collect();
        use base64::Engine;
        let e = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        parts[1] = e.encode(serde_json::json!({"sub": "admin", "exp": now() + 600}).to_string());
        parts.join(".")
    };
    let cases = [
        (
            "expired",
            token(
                KEY,
                Some("k1"),
                serde_json::json!({"sub": "u", "exp": now() - 3600}),
            ),
        ),
        (
            "no exp",
            token(KEY, Some("k1"), serde_json::json!({"sub": "u"})),
        ),
        (
            "nbf in the future",
            token(
                KEY,
                Some("k1"),
                serde_json::json!({"sub": "u", "exp": now() + 7200, "nbf": now() + 3600}),
            ),
        ),
        ("other key", token(OTHER_KEY, Some("k1"), good_claims())),
        ("unknown kid", token(KEY, Some("k9"), good_claims())),
        ("no kid", token(KEY, None, good_claims())),
        ("HS256", hs256),
        ("alg none", none_alg),
        ("tampered", tampered),
        ("garbage", "not-a-token".into()),
        ("truncated", good[..good.len() / 2].to_string()),
    ];
    for (what, t) in cases {
        let r = http
            .get(s.url("/api/user"))
            .bearer_auth(&t)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401, "{what}");
        assert_eq!(
            assert_error_body(&r.json().await.unwrap()),
            "meshery-server-1001",
            "{what}"
        );
    }
    s.stop().await;
}

#[tokio::test]
async fn browsers_are_sent_to_the_provider_login_and_api_clients_are_not() {
    let (s, _) = remote_server().await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = http
        .get(s.url("/api/user"))
        .header("accept", "text/html,application/xhtml+xml")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 302);
    let location = r.headers()["location"].to_str().unwrap();
    assert!(location.contains("/login?source="), "{location}");
    let r = http
        .get(s.url("/api/user"))
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    s.stop().await;
}

#[tokio::test]
async fn graphql_uses_the_same_sessions() {
    use futures::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    let (s, _) = remote_server().await;
    let http = reqwest::Client::new();
    let q = serde_json::json!({"query": "{ getUser { id } }"});
    let r = http
        .post(s.url("/api/graphql/query"))
        .json(&q)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        "meshery-server-1001"
    );
    let t = token(KEY, Some("k1"), good_claims());
    let r: serde_json::Value = http
        .post(s.url("/api/graphql/query"))
        .bearer_auth(&t)
        .json(&q)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["data"]["getUser"]["id"], "user-1");

    // WebSocket: the token travels in the connection_init payload.
    for (payload, accepted) in [
        (serde_json::json!({}), false),
        (
            serde_json::json!({"Authorization": "Bearer garbage"}),
            false,
        ),
        (
            serde_json::json!({"Authorization": format!("Bearer {t}")}),
            true,
        ),
        (serde_json::json!({"token": t}), true),
    ] {
        let mut ws = ws_connect(&s, "graphql-transport-ws").await;
        let init = serde_json::json!({"type": "connection_init", "payload": payload});
        ws.send(Message::Text(init.to_string().into()))
            .await
            .unwrap();
        let reply = tokio::time::timeout(std::time::Duration::from_secs(10), ws.next())
            .await
            .unwrap();
        let acked = matches!(&reply, Some(Ok(Message::Text(t))) if t.contains("connection_ack"));
        assert_eq!(acked, accepted, "{payload}: {reply:?}");
    }
    s.stop().await;
}
