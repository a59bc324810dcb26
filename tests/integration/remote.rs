//! The remote-provider protocol end to end, against the reference provider in this
//! repository: discovery, login → callback → authenticated calls (REST, GraphQL, WebSocket) →
//! logout, the mesheryctl path, revocation and key rotation, safe return paths, the
//! extensions proxy and a provider outage.

use crate::common::*;
use futures::StreamExt;
use meshery_server::reference_provider::{self, Config, Running};
use std::time::Duration;

const KEY: &[u8] = include_bytes!("../fixtures/jwt-test-key.pem");
const OTHER_KEY: &[u8] = include_bytes!("../fixtures/jwt-other-key.pem");

struct Setup {
    provider: Running,
    server: TestServer,
    /// Registration key of the provider in meshery-server (`host:port`).
    name: String,
}

async fn setup() -> Setup {
    setup_with(
        Config::new(vec![KEY.to_vec(), OTHER_KEY.to_vec()]),
        Box::new(|_| {}),
    )
    .await
}

/// Access tokens that expire after `ttl_secs`, and a server that allows no leeway on them.
async fn short_lived_tokens(ttl_secs: u64) -> Setup {
    let mut cfg = Config::new(vec![KEY.to_vec()]);
    cfg.token_ttl_secs = ttl_secs;
    setup_with(cfg, Box::new(|c| c.jwt_leeway_secs = 0)).await
}

/// The reference provider with `cfg`, and a server that uses it by default (plus `configure`).
async fn setup_with(
    cfg: Config,
    configure: Box<dyn FnOnce(&mut meshery_server::config::Config) + Send>,
) -> Setup {
    let provider = reference_provider::start(cfg, "127.0.0.1:0").await.unwrap();
    let base = provider.base_url.clone();
    let name = base.trim_start_matches("http://").to_string();
    let server = server_with(|c| {
        c.provider_base_urls = vec![base.clone()];
        c.provider = name.clone();
        configure(c);
    })
    .await;
    Setup {
        provider,
        server,
        name,
    }
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn wait_online(s: &Setup) -> serde_json::Value {
    eventually(
        "the provider to come online",
        Duration::from_secs(10),
        || async {
            let all: serde_json::Value = reqwest::get(s.server.url("/api/providers"))
                .await
                .ok()?
                .json()
                .await
                .ok()?;
            (all[&s.name]["status"] == "online").then_some(all)
        },
    )
    .await
}

#[tokio::test]
async fn discovery_fills_the_provider_list_and_streams_status() {
    let s = setup().await;
    let all = wait_online(&s).await;
    let p = &all[&s.name];
    assert_eq!(p["providerName"], "Reference");
    assert_eq!(p["providerType"], "remote");
    assert!(
        p["capabilities"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["feature"] == "sync-prefs"),
        "{p}"
    );
    assert_eq!(all["Local"]["status"], "online");

    // The stream starts with every provider's current status, then reports the probe it starts.
    let resp = reqwest::get(s.server.url("/api/providers/stream"))
        .await
        .unwrap();
    assert_eq!(resp.headers()["content-type"], "text/event-stream");
    let mut body = resp.bytes_stream();
    let mut text = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while text.matches("event: provider").count() < 3
        || !text.contains("\"checking\"")
        || text.matches("\"online\"").count() < 3
    {
        let chunk = tokio::time::timeout_at(deadline, body.next())
            .await
            .expect("stream stalled")
            .unwrap()
            .unwrap();
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(text.contains(&format!("\"name\":\"{}\"", s.name)), "{text}");
    s.server.stop().await;
}

#[tokio::test]
async fn login_callback_calls_and_logout() {
    let s = setup().await;
    let http = no_redirects();
    // 1. /user/login sends the browser to the provider with a base64url callback and ref.
    let r = http
        .get(s.server.url("/user/login?ref=/extension/meshmap"))
        .header("cookie", format!("meshery-provider={}", s.name))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 302);
    let to_provider = r.headers()["location"].to_str().unwrap().to_string();
    assert!(
        to_provider.starts_with(&format!("{}/login?source=", s.provider.base_url)),
        "{to_provider}"
    );
    // 2. The provider auto-approves and sends the browser to the callback with the token.
    let r = http.get(&to_provider).send().await.unwrap();
    assert_eq!(r.status(), 302);
    let callback = r.headers()["location"].to_str().unwrap().to_string();
    assert!(
        callback.starts_with(&s.server.url("/api/user/token?token=")),
        "{callback}"
    );
    // 3. The callback verifies the token, sets the cookie and returns to ref.
    let r = http
        .get(&callback)
        .header("cookie", format!("meshery-provider={}", s.name))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 302, "{:?}", r.text().await);
    assert_eq!(r.headers()["location"], "/extension/meshmap");
    let set_cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        set_cookie.starts_with("token=")
            && set_cookie.contains("HttpOnly")
            && set_cookie.contains("SameSite=Lax"),
        "{set_cookie}"
    );
    let token_value = set_cookie
        .trim_start_matches("token=")
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let cookies = format!("meshery-provider={}; token={token_value}", s.name);

    // 4. Authenticated calls with the cookies: the generated REST client over a client that
    //    carries the browser's cookie jar, GraphQL over HTTP and WebSocket, the token file.
    let mut jar = reqwest::header::HeaderMap::new();
    jar.insert("cookie", cookies.parse().unwrap());
    let with_jar = reqwest::Client::builder()
        .default_headers(jar)
        .build()
        .unwrap();
    let sdk = meshery_server::client::Client::new_with_client(&s.server.base, with_jar);
    let user = sdk.get_user().send().await.unwrap().into_inner();
    assert_eq!(user.provider, s.name);
    let prefs = sdk.get_user_prefs().send().await.unwrap().into_inner();
    assert!(
        prefs.anonymous_usage_stats,
        "defaults from the provider's empty preference document"
    );
    {
        use futures::SinkExt;
        use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest};
        let mut req = s
            .server
            .ws_url("/api/graphql/query")
            .into_client_request()
            .unwrap();
        req.headers_mut().insert(
            "sec-websocket-protocol",
            "graphql-transport-ws".parse().unwrap(),
        );
        req.headers_mut().insert("cookie", cookies.parse().unwrap());
        let (mut ws, _) = tokio_tungstenite::connect_async(req).await.unwrap();
        ws.send(Message::Text(r#"{"type":"connection_init"}"#.into()))
            .await
            .unwrap();
        let ack = ws.next().await.unwrap().unwrap();
        assert!(
            ack.to_text().unwrap().contains("connection_ack"),
            "the upgrade's cookie authenticates: {ack:?}"
        );
    }
    let file: serde_json::Value = http
        .get(s.server.url("/api/token"))
        .header("cookie", &cookies)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(file["meshery-provider"], s.name.as_str());
    let gql: serde_json::Value = http
        .post(s.server.url("/api/system/graphql/query"))
        .header("cookie", &cookies)
        .json(&serde_json::json!({"query": "{ getUser { id provider } }"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(gql["data"]["getUser"]["provider"], s.name.as_str(), "{gql}");

    // 5. Logout tells the provider and clears the cookie; the old token is revoked there.
    s.provider.control.clear_requests();
    let r = http
        .get(s.server.url("/user/logout"))
        .header("cookie", &cookies)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 302);
    assert!(
        r.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    let paths: Vec<String> = s
        .provider
        .control
        .requests()
        .into_iter()
        .map(|r| r.path)
        .collect();
    assert!(paths.iter().any(|p| p.starts_with("/logout")), "{paths:?}");
    assert!(paths.iter().any(|p| p.starts_with("/revoke")), "{paths:?}");
    s.server.stop().await;
}

#[tokio::test]
async fn mesheryctl_path_with_cookies_and_bearer() {
    let s = setup().await;
    let issued = s.provider.control.issue_token();
    let http = reqwest::Client::new();
    let providers: serde_json::Value = http
        .get(s.server.url("/api/providers"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(providers.get(&s.name).is_some());
    let cookies = format!("meshery-provider={}; token={}", s.name, issued.cookie_value);
    let file: serde_json::Value = http
        .get(s.server.url("/api/token"))
        .header("cookie", &cookies)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        file["token"],
        issued.cookie_value.as_str(),
        "the cookie's value, as Meshery"
    );
    // mesheryctl saves that file and sends its token back as the `token` cookie.
    let saved = format!(
        "meshery-provider={}; token={}",
        file["meshery-provider"].as_str().unwrap(),
        file["token"].as_str().unwrap()
    );
    assert_eq!(
        http.get(s.server.url("/api/user"))
            .header("cookie", saved)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let r = http
        .get(s.server.url("/api/user/prefs"))
        .header("cookie", &cookies)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = http
        .get(s.server.url("/api/user"))
        .bearer_auth(&issued.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    s.server.stop().await;
}

#[tokio::test]
async fn revoked_tokens_are_refused_and_rotated_keys_accepted() {
    let s = setup().await;
    let http = reqwest::Client::new();
    let old = s.provider.control.issue_token();
    assert_eq!(
        http.get(s.server.url("/api/user"))
            .bearer_auth(&old.access_token)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    s.provider.control.rotate_key();
    let new = s.provider.control.issue_token();
    assert_ne!(
        jsonwebtoken::decode_header(&new.access_token).unwrap().kid,
        jsonwebtoken::decode_header(&old.access_token).unwrap().kid
    );
    assert_eq!(
        http.get(s.server.url("/api/user"))
            .bearer_auth(&new.access_token)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let fresh = s.provider.control.issue_token();
    s.provider.control.revoke(&fresh.access_token);
    let r = http
        .get(s.server.url("/api/user"))
        .bearer_auth(&fresh.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(
        assert_error_body(&r.json().await.unwrap()),
        "meshery-server-1001"
    );
    s.server.stop().await;
}

#[tokio::test]
async fn return_paths_never_leave_the_site() {
    use base64::Engine;
    let s = setup().await;
    let http = no_redirects();
    let issued = s.provider.control.issue_token();
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    for evil in [
        "https://evil.example",
        "//evil.example",
        "/\\evil.example",
        "%2F%2Fevil.example",
        "/%2F%2Fevil.example",
        "/%5Cevil.example",
    ] {
        for r#ref in [evil.to_string(), b64.encode(evil)] {
            let q = [
                ("token", issued.cookie_value.as_str()),
                ("ref", r#ref.as_str()),
            ];
            let r = http
                .get(s.server.url("/api/user/token"))
                .query(&q)
                .header("cookie", format!("meshery-provider={}", s.name))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 302, "{ref}");
            assert_eq!(r.headers()["location"], "/", "{ref}");
            let r = http
                .get(s.server.url("/user/login"))
                .query(&[("ref", r#ref.as_str()), ("provider", "Local")])
                .send()
                .await
                .unwrap();
            assert_eq!(r.headers()["location"], "/", "{ref}");
        }
    }
    // A bad token sets nothing.
    let r = http
        .get(s.server.url("/api/user/token"))
        .query(&[("token", "garbage"), ("ref", "/x")])
        .header("cookie", format!("meshery-provider={}", s.name))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert!(r.headers().get("set-cookie").is_none());
    s.server.stop().await;
}

#[tokio::test]
async fn extensions_are_forwarded_only_to_the_provider() {
    let s = setup().await;
    wait_online(&s).await;
    let issued = s.provider.control.issue_token();
    let http = reqwest::Client::new();
    let r = http
        .get(s.server.url("/api/extensions/extensions/hello?name=mesh"))
        .bearer_auth(&issued.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["message"], "hello mesh", "{body}");
    let r = http
        .post(s.server.url("/api/extensions/extensions/echo?x=1"))
        .bearer_auth(&issued.access_token)
        .json(&serde_json::json!({"a": 1}))
        .send()
        .await
        .unwrap();
    let echo: serde_json::Value = r.json().await.unwrap();
    assert_eq!(
        (echo["method"].as_str(), echo["body"]["a"].as_i64()),
        (Some("POST"), Some(1)),
        "{echo}"
    );
    let r = http
        .get(s.server.url("/api/extensions/extensions/status/418"))
        .bearer_auth(&issued.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 418, "the provider's status passes through");
    let forwarded = s
        .provider
        .control
        .requests()
        .into_iter()
        .filter(|r| r.path.starts_with("/extensions/"))
        .count();
    assert!(forwarded >= 3);

    for escape in [
        "/api/extensions/../keys",
        "/api/extensions/%2e%2e/keys",
        "/api/extensions/extensions%2F..%2Fkeys",
        "/api/extensions//evil.example/x",
        "/api/extensions/@evil.example/x",
        "/api/extensions/http:%2F%2Fevil.example",
    ] {
        s.provider.control.clear_requests();
        let r = http
            .get(format!("{}{escape}", s.server.base))
            .bearer_auth(&issued.access_token)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_client_error(), "{escape}: {}", r.status());
        assert!(
            s.provider.control.requests().is_empty(),
            "{escape} reached the provider"
        );
    }
    let version: serde_json::Value = http
        .get(s.server.url("/api/extension/version"))
        .bearer_auth(&issued.access_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(version["version"], "v0.1.0");
    // The Local provider has no extensions.
    let r = http
        .get(s.server.url("/api/extensions/x"))
        .header("meshery-provider", "Local")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let r = http
        .get(s.server.url("/api/extension/version"))
        .header("meshery-provider", "Local")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    s.server.stop().await;
}

#[tokio::test]
async fn provider_outage_is_a_clear_error_and_local_is_unaffected() {
    let s = setup().await;
    wait_online(&s).await;
    let issued = s.provider.control.issue_token();
    let http = reqwest::Client::new();
    s.provider.control.set_down(true);
    let r = http
        .get(s.server.url("/api/user"))
        .bearer_auth(&issued.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        502,
        "no cached verification yet, and the provider cannot confirm"
    );
    assert_eq!(
        assert_error_body(&r.json().await.unwrap()),
        "meshery-server-1009"
    );
    let r = http
        .get(s.server.url("/api/extensions/extensions/hello"))
        .bearer_auth(&issued.access_token)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_server_error());
    let r = http
        .get(s.server.url("/api/user"))
        .header("meshery-provider", "Local")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // Logout still works locally.
    let r = no_redirects()
        .get(s.server.url("/user/logout"))
        .header(
            "cookie",
            format!("meshery-provider={}; token={}", s.name, issued.cookie_value),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 302);
    s.server.stop().await;
}

#[tokio::test]
async fn capabilities_drive_profile_preferences_and_events() {
    let s = setup().await;
    wait_online(&s).await;
    let issued = s.provider.control.issue_token();
    let http = reqwest::Client::new();
    s.provider.control.clear_requests();
    let user: serde_json::Value = http
        .get(s.server.url("/api/user"))
        .bearer_auth(&issued.access_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(user["email"], "dev@example.com", "{user}");
    // Preferences live with the provider (`sync-prefs`): written there, read back from there.
    let body = serde_json::json!({"anonymousUsageStats": false, "selectedK8sContexts": ["c1"]});
    let r = http
        .post(s.server.url("/api/user/prefs"))
        .bearer_auth(&issued.access_token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{:?}", r.text().await);
    let p: serde_json::Value = http
        .get(s.server.url("/api/user/prefs"))
        .bearer_auth(&issued.access_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (
            p["anonymousUsageStats"].as_bool(),
            p["selectedK8sContexts"][0].as_str()
        ),
        (Some(false), Some("c1")),
        "{p}"
    );
    // New events are handed to the provider (`persist-events`).
    let ev = serde_json::json!({"severity": "informational", "action": "a", "category": "c", "description": "to the provider"});
    let r = http
        .post(s.server.url("/api/system/events"))
        .bearer_auth(&issued.access_token)
        .json(&ev)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    eventually("the provider calls", Duration::from_secs(10), || async {
        let log = s.provider.control.requests();
        let seen = |m: &str, p: &str| log.iter().any(|r| r.method == m && r.path.starts_with(p));
        (seen("GET", "/user")
            && seen("PUT", "/user/preferences")
            && seen("GET", "/user/preferences")
            && seen("POST", "/events"))
        .then_some(())
    })
    .await;
    s.server.stop().await;
}

#[tokio::test]
async fn a_missing_capability_is_named() {
    let dir = temp_dir();
    let caps = dir.join("capabilities.json");
    std::fs::write(
        &caps,
        r#"{"providerName":"Bare","packageVersion":"v9","capabilities":[]}"#,
    )
    .unwrap();
    let file = caps.clone();
    let s = setup_with(
        Config::new(vec![KEY.to_vec()]),
        Box::new(move |c| c.provider_capabilities_filepath = Some(file)),
    )
    .await;
    let all = wait_online(&s).await;
    assert_eq!(
        all[&s.name]["providerName"], "Bare",
        "capabilities came from the file"
    );
    let Setup {
        provider, server, ..
    } = s;
    let issued = provider.control.issue_token();
    let http = reqwest::Client::new();
    let r = http
        .get(server.url("/api/user/prefs"))
        .bearer_auth(&issued.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(assert_error_body(&body), "meshery-server-1011");
    assert!(
        body["error"].as_str().unwrap().contains("sync-prefs"),
        "{body}"
    );
    assert!(
        !provider
            .control
            .requests()
            .iter()
            .any(|r| r.path.contains("capabilities")),
        "no probe when a file is given"
    );
    for (method, path, body) in [
        ("GET", "/api/system/events", None),
        (
            "POST",
            "/api/system/events",
            Some(
                serde_json::json!({"severity": "error", "action": "a", "category": "c", "description": "d"}),
            ),
        ),
    ] {
        let mut req = http
            .request(method.parse().unwrap(), server.url(path))
            .bearer_auth(&issued.access_token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.unwrap();
        assert_eq!(r.status(), 400, "{method} {path}");
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(
            assert_error_body(&body),
            "meshery-server-1011",
            "{method} {path}"
        );
        assert!(
            body["error"].as_str().unwrap().contains("-events"),
            "{body}"
        );
    }
    server.stop().await;
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn a_subscription_ends_with_an_error_when_its_token_expires() {
    use futures::SinkExt;
    use tokio_tungstenite::tungstenite::Message;
    let Setup {
        provider, server, ..
    } = short_lived_tokens(2).await;
    let issued = provider.control.issue_token();
    let mut ws = ws_connect(&server, "graphql-transport-ws").await;
    let init = serde_json::json!({"type": "connection_init", "payload": {"Authorization": format!("Bearer {}", issued.access_token)}});
    ws.send(Message::Text(init.to_string().into()))
        .await
        .unwrap();
    let sub = serde_json::json!({"id": "1", "type": "subscribe", "payload": {"query": "subscription { subscribeEvents { id } }"}});
    ws.send(Message::Text(sub.to_string().into()))
        .await
        .unwrap();
    let got = tokio::time::timeout(Duration::from_secs(15), async {
        loop {
            let m = ws.next().await.unwrap().unwrap();
            let Ok(text) = m.to_text() else { continue };
            if text.contains("token expired") {
                break text.to_string();
            }
        }
    })
    .await
    .expect("no expiry error within 15 s");
    assert!(got.contains("meshery-server-1001"), "{got}");
    server.stop().await;
}

#[tokio::test]
async fn an_expired_session_is_refreshed_once_and_the_cookie_rewritten() {
    let Setup {
        provider,
        server,
        name,
    } = short_lived_tokens(1).await;
    let issued = provider.control.issue_token();
    let cookies = format!("meshery-provider={name}; token={}", issued.cookie_value);
    let http = reqwest::Client::new();
    // Ask until the access token has expired and the server refreshed it (bounded).
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    let new_cookie = loop {
        let r = http
            .get(server.url("/api/user"))
            .header("cookie", &cookies)
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            200,
            "every call succeeds, before and after the refresh"
        );
        if let Some(c) = r.headers().get("set-cookie") {
            break c.to_str().unwrap().to_string();
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the session was never refreshed"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(
        new_cookie.starts_with("token=") && new_cookie.contains("HttpOnly"),
        "{new_cookie}"
    );
    assert!(
        !new_cookie.contains(&issued.cookie_value),
        "a new token was issued"
    );
    assert!(
        provider
            .control
            .requests()
            .iter()
            .any(|r| r.method == "POST" && r.path == "/refresh")
    );
    // The refresh token is single-use: the stale cookie cannot be refreshed a second time.
    let r = http
        .get(server.url("/api/user"))
        .header("cookie", &cookies)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    server.stop().await;
}

#[tokio::test]
async fn the_provider_s_extension_operations_join_the_served_contract() {
    let s = setup().await;
    wait_online(&s).await;
    let http = reqwest::Client::new();
    let cookie = format!("meshery-provider={}", s.name);
    let doc: serde_json::Value = http
        .get(s.server.url("/api/openapi.json"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let hello = &doc["paths"]["/api/extensions/extensions/hello"]["get"];
    assert_eq!(
        hello["operationId"], "extension_extHello",
        "{}",
        doc["paths"]
    );
    assert_eq!(hello["tags"][0], "Extensions");
    let page = http
        .get(s.server.url("/docs"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Provider extensions") && page.contains("/api/extensions/extensions/hello"),
        "the docs list them"
    );
    // The Local provider's contract is the committed one.
    let local: serde_json::Value = http
        .get(s.server.url("/api/openapi.json"))
        .header("cookie", "meshery-provider=Local")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        local,
        serde_json::from_str::<serde_json::Value>(meshery_server::generated::OPENAPI_JSON).unwrap()
    );
    s.server.stop().await;
}

#[tokio::test]
async fn after_login_capabilities_are_loaded_as_the_user() {
    let s = setup().await;
    wait_online(&s).await;
    let issued = s.provider.control.issue_token();
    let http = no_redirects();
    let r = http
        .get(s.server.url("/api/user/token"))
        .query(&[("token", issued.cookie_value.as_str())])
        .header("cookie", format!("meshery-provider={}", s.name))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 302);
    let has = |v: &serde_json::Value| {
        v["capabilities"].as_array().is_some_and(|c| {
            c.iter()
                .any(|c| c["feature"] == "authenticated-capabilities")
        })
    };
    eventually(
        "capabilities loaded with the user's token",
        Duration::from_secs(10),
        || async {
            let mine: serde_json::Value = http
                .get(s.server.url("/api/provider/capabilities"))
                .bearer_auth(&issued.access_token)
                .send()
                .await
                .ok()?
                .json()
                .await
                .ok()?;
            has(&mine).then_some(())
        },
    )
    .await;
    // The public list keeps the anonymous view: one user's capabilities stay theirs.
    let all: serde_json::Value = http
        .get(s.server.url("/api/providers"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(!has(&all[&s.name]), "{all}");
    s.server.stop().await;
}

#[tokio::test]
async fn a_token_from_another_provider_is_refused() {
    let a = reference_provider::start(Config::new(vec![KEY.to_vec()]), "127.0.0.1:0")
        .await
        .unwrap();
    let b = reference_provider::start(Config::new(vec![OTHER_KEY.to_vec()]), "127.0.0.1:0")
        .await
        .unwrap();
    let (base_a, base_b) = (a.base_url.clone(), b.base_url.clone());
    let name_a = base_a.trim_start_matches("http://").to_string();
    let server = server_with(|c| {
        c.provider_base_urls = vec![base_a.clone(), base_b.clone()];
        c.provider = name_a.clone();
    })
    .await;
    let from_b = b.control.issue_token();
    let r = reqwest::Client::new()
        .get(server.url("/api/user"))
        .bearer_auth(&from_b.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(
        assert_error_body(&r.json().await.unwrap()),
        "meshery-server-1001"
    );
    server.stop().await;
}

#[tokio::test]
async fn a_provider_that_never_answers_costs_at_most_the_timeout() {
    // A "provider" that accepts connections and never answers.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", silent.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((sock, _)) = silent.accept().await {
            held.push(sock);
        }
    });
    let name = base.trim_start_matches("http://").to_string();
    let server = server_with(|c| {
        c.provider_base_urls = vec![base.clone()];
        c.provider = name.clone();
        c.provider_timeout_secs = 1;
    })
    .await;
    let issued = {
        let p = reference_provider::start(Config::new(vec![KEY.to_vec()]), "127.0.0.1:0")
            .await
            .unwrap();
        p.control.issue_token()
    };
    let started = std::time::Instant::now();
    let r = tokio::time::timeout(
        Duration::from_secs(10),
        reqwest::Client::new()
            .get(server.url("/api/user"))
            .bearer_auth(&issued.access_token)
            .send(),
    )
    .await
    .expect("the request hung")
    .unwrap();
    assert_eq!(r.status(), 502);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    let r = reqwest::Client::new()
        .get(server.url("/api/user"))
        .header("meshery-provider", "Local")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    server.stop().await;
}

#[tokio::test]
async fn a_browser_with_a_bad_callback_token_is_not_sent_round_in_circles() {
    let s = setup().await;
    let r = no_redirects()
        .get(s.server.url("/api/user/token?token=garbage&ref=/x"))
        .header("accept", "text/html")
        .header("cookie", format!("meshery-provider={}", s.name))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401, "no redirect back to the provider's login");
    s.server.stop().await;
}

#[tokio::test]
async fn the_event_stream_ends_when_the_session_expires() {
    let Setup {
        provider, server, ..
    } = short_lived_tokens(2).await;
    let issued = provider.control.issue_token();
    let resp = reqwest::Client::new()
        .get(server.url("/api/system/events/subscribe"))
        .bearer_auth(&issued.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let mut body = resp.bytes_stream();
    let ended = tokio::time::timeout(Duration::from_secs(15), async {
        while let Some(Ok(_)) = body.next().await {}
    })
    .await;
    assert!(ended.is_ok(), "the stream outlived its token");
    server.stop().await;
}

#[tokio::test]
async fn events_the_provider_lists_are_served_and_deletions_stick() {
    let s = setup().await;
    wait_online(&s).await;
    let issued = s.provider.control.issue_token();
    let http = reqwest::Client::new();
    // An event recorded at the provider by some other client.
    let id = uuid::Uuid::new_v4().to_string();
    let at_provider = serde_json::json!({"id": id, "severity": "warning", "action": "sync", "category": "cloud",
        "description": "from the provider", "createdAt": "2026-12-01T10:00:00Z"});
    let r = http
        .post(format!("{}/events", s.provider.base_url))
        .bearer_auth(&issued.access_token)
        .json(&at_provider)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let page: serde_json::Value = http
        .get(s.server.url("/api/system/events"))
        .bearer_auth(&issued.access_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ids: Vec<&str> = page["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["id"].as_str())
        .collect();
    assert!(ids.contains(&id.as_str()), "{page}");
    // Read marks and deletions here win over the provider's copy.
    let r = http
        .put(s.server.url(&format!("/api/system/events/status/{id}")))
        .bearer_auth(&issued.access_token)
        .json(&serde_json::json!({"status": "read"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = http
        .delete(s.server.url(&format!("/api/system/events/{id}")))
        .bearer_auth(&issued.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let page: serde_json::Value = http
        .get(s.server.url("/api/system/events"))
        .bearer_auth(&issued.access_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        !page["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["id"] == id.as_str()),
        "a deleted event came back: {page}"
    );
    s.server.stop().await;
}

/// A client for the given default headers.
fn sdk_with(base: &str, headers: &[(&'static str, String)]) -> meshery_server::client::Client {
    let mut map = reqwest::header::HeaderMap::new();
    for (k, v) in headers {
        map.insert(*k, v.parse().unwrap());
    }
    let http = reqwest::Client::builder()
        .default_headers(map)
        .build()
        .unwrap();
    meshery_server::client::Client::new_with_client(base, http)
}

#[tokio::test]
async fn schedules_belong_to_their_user_and_run_as_them() {
    use meshery_server::client::types;
    let s = setup().await;
    let issued = s.provider.control.issue_token();
    let remote = sdk_with(
        &s.server.base,
        &[("authorization", format!("Bearer {}", issued.access_token))],
    );
    let local = sdk_with(&s.server.base, &[("meshery-provider", "Local".into())]);
    let url = crate::schedules::target().await;
    let profile: types::PerformanceProfileInput = serde_json::from_value(serde_json::json!({
        "name": "remote's", "endpoints": [url], "duration": "1s", "qps": 5
    }))
    .unwrap();
    let p = remote
        .save_user_performance_profile()
        .body(profile)
        .send()
        .await
        .unwrap()
        .into_inner();
    let input = |id: Option<uuid::Uuid>| -> types::ScheduleInput {
        serde_json::from_value(serde_json::json!({
            "id": id, "name": "remote's schedule", "profileId": p.id, "cronExpression": "*/1 * * * * *"
        }))
        .unwrap()
    };
    let sched = remote
        .save_schedule()
        .body(input(None))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(sched.user_id, p.user_id);
    assert_ne!(sched.user_id, "meshery");

    // The Local user sees none of it, and cannot use the remote user's profile or schedule.
    let page = local.get_schedules().send().await.unwrap().into_inner();
    assert_eq!(page.total_count, 0);
    for status in [
        local
            .get_schedule()
            .id(sched.id)
            .send()
            .await
            .unwrap_err()
            .status(),
        local
            .delete_schedule()
            .id(sched.id)
            .send()
            .await
            .unwrap_err()
            .status(),
        local
            .save_schedule()
            .body(input(None))
            .send()
            .await
            .unwrap_err()
            .status(),
        local
            .save_schedule()
            .body(input(Some(sched.id)))
            .send()
            .await
            .unwrap_err()
            .status(),
    ] {
        assert_eq!(status.map(|s| s.as_u16()), Some(404));
    }

    // The scheduler, with no request, runs it as the remote user: the result is theirs.
    let result = eventually("a scheduled result", Duration::from_secs(30), || async {
        remote
            .get_user_performance_profile_results()
            .id(p.id)
            .send()
            .await
            .ok()?
            .into_inner()
            .results
            .into_iter()
            .next()
    })
    .await;
    assert_eq!(result.user_id, p.user_id);
    assert!(
        result.name.starts_with("remote's schedule "),
        "{}",
        result.name
    );
    remote.delete_schedule().id(sched.id).send().await.unwrap();
    s.server.stop().await;
    s.provider.stop().await.unwrap();
}

/// A run started by a remote provider's user hands the stored result to the provider
/// (`persist-results`), with the user's token; the run says so in its stream.
#[tokio::test]
async fn a_run_hands_its_result_to_the_provider() {
    use futures::StreamExt;
    use meshery_server::client::types;
    let s = setup().await;
    let issued = s.provider.control.issue_token();
    let remote = sdk_with(
        &s.server.base,
        &[("authorization", format!("Bearer {}", issued.access_token))],
    );
    let t = crate::target::target().await;
    let profile: types::PerformanceProfileInput = serde_json::from_value(serde_json::json!({
        "name": "published", "endpoints": [t.url("/delay/0")], "duration": "1s", "qps": 10
    }))
    .unwrap();
    let p = remote
        .save_user_performance_profile()
        .body(profile)
        .send()
        .await
        .unwrap()
        .into_inner();
    let mut stream = remote
        .run_performance_profile()
        .id(p.id)
        .name("handed over")
        .send()
        .await
        .unwrap()
        .into_inner();
    let mut body = String::new();
    tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(chunk) = stream.next().await {
            body.push_str(&String::from_utf8_lossy(&chunk.unwrap()));
        }
    })
    .await
    .expect("the run ends");
    assert!(body.contains("Result handed to provider"), "{body}");
    assert!(body.contains("\"status\":\"success\""), "{body}");
    let stored = remote
        .get_user_performance_profile_results()
        .id(p.id)
        .send()
        .await
        .unwrap()
        .into_inner()
        .results
        .remove(0);
    let at_provider: serde_json::Value = reqwest::Client::new()
        .get(format!("{}/results", s.provider.base_url))
        .bearer_auth(&issued.access_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(at_provider["totalCount"], 1, "{at_provider}");
    let r = &at_provider["results"][0];
    assert_eq!(r["mesheryId"], stored.meshery_id.to_string());
    assert_eq!(r["name"], "handed over");
    assert_eq!(r["performanceProfile"], p.id.to_string());
    assert_eq!(r["runnerResults"]["RunType"], "HTTP");
    assert_eq!(r["smp"]["requests"], stored.smp.requests);
    s.server.stop().await;
    s.provider.stop().await.unwrap();
}
