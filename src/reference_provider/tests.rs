//! Tests through HTTP, as meshery-server and its integration tests see the provider.

use super::*;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Value, json};

const KEY: &[u8] = include_bytes!("../../tests/fixtures/jwt-test-key.pem");
const OTHER_KEY: &[u8] = include_bytes!("../../tests/fixtures/jwt-other-key.pem");

async fn provider() -> Running {
    start(
        Config::new(vec![KEY.to_vec(), OTHER_KEY.to_vec()]),
        "127.0.0.1:0",
    )
    .await
    .expect("provider starts")
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn jwks(p: &Running) -> JwkSet {
    client()
        .get(format!("{}/keys", p.base_url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Verifies `token` the way a consumer does: the JWKS key named by the token's `kid`.
fn verify_with(set: &JwkSet, token: &str) -> Result<Value, String> {
    let kid = jsonwebtoken::decode_header(token)
        .map_err(|e| e.to_string())?
        .kid
        .ok_or("no kid")?;
    let jwk = set.find(&kid).ok_or("kid not published")?;
    let key = DecodingKey::from_jwk(jwk).map_err(|e| e.to_string())?;
    let mut v = Validation::new(Algorithm::RS256);
    v.set_required_spec_claims(&["exp", "sub"]);
    jsonwebtoken::decode::<Value>(token, &key, &v)
        .map(|d| d.claims)
        .map_err(|e| e.to_string())
}

async fn post_token(p: &Running, path: &str, token: &str) -> reqwest::Response {
    client()
        .post(format!("{}{path}", p.base_url))
        .json(&json!({ "token": token }))
        .send()
        .await
        .unwrap()
}

async fn introspect(p: &Running, token: &str) -> Value {
    let r = post_token(p, "/introspect", token).await;
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

#[tokio::test]
async fn tokens_verify_against_the_published_jwks() {
    let p = provider().await;
    let issued = p.control.issue_token();
    let set = jwks(&p).await;
    assert_eq!(set.keys.len(), 1, "only keys used so far are published");
    let raw: Value = serde_json::to_value(&set).unwrap();
    assert_eq!(raw["keys"][0]["alg"], "RS256");
    assert_eq!(raw["keys"][0]["use"], "sig");
    assert_eq!(raw["keys"][0]["kty"], "RSA");

    let claims = verify_with(&set, &issued.access_token).expect("verifies");
    let user = TestUser::default();
    assert_eq!(claims["sub"], user.sub);
    assert_eq!(claims["email"], user.email);
    assert_eq!(claims["iss"], p.base_url);

    // The cookie value is base64 of the OAuth2 token document.
    let doc: Value =
        serde_json::from_slice(&STANDARD.decode(&issued.cookie_value).unwrap()).unwrap();
    assert_eq!(doc["access_token"], issued.access_token);
    assert_eq!(doc["refresh_token"], issued.refresh_token);
    assert_eq!(doc["token_type"], "bearer");
    assert!(chrono::DateTime::parse_from_rfc3339(doc["expiry"].as_str().unwrap()).is_ok());

    let i = introspect(&p, &issued.access_token).await;
    assert_eq!(i["active"], true);
    assert_eq!(i["sub"], user.sub);
    // The cookie value is accepted wherever a token is.
    assert_eq!(introspect(&p, &issued.cookie_value).await["active"], true);
    p.stop().await.unwrap();
}

#[tokio::test]
async fn rotation_publishes_the_new_key_and_keeps_the_old_one() {
    let p = provider().await;
    let before = p.control.issue_token();
    let kid_before = p.control.active_kid();
    p.control.rotate_key();
    let after = p.control.issue_token();
    let kid_after = jsonwebtoken::decode_header(&after.access_token)
        .unwrap()
        .kid
        .unwrap();
    assert_ne!(kid_before, kid_after);
    assert_eq!(kid_after, p.control.active_kid());

    let set = jwks(&p).await;
    assert_eq!(set.keys.len(), 2);
    verify_with(&set, &before.access_token).expect("old token still verifies");
    verify_with(&set, &after.access_token).expect("new token verifies");
    assert_eq!(introspect(&p, &before.access_token).await["active"], true);
    assert_eq!(introspect(&p, &after.access_token).await["active"], true);

    // Wrapping around to the first key keeps both published.
    p.control.rotate_key();
    assert_eq!(p.control.active_kid(), kid_before);
    assert_eq!(jwks(&p).await.keys.len(), 2);
}

#[tokio::test]
async fn revoked_expired_and_foreign_tokens_are_inactive() {
    let p = provider().await;
    let issued = p.control.issue_token();
    p.control.revoke(&issued.access_token);
    assert_eq!(
        introspect(&p, &issued.access_token).await,
        json!({"active": false})
    );

    // /revoke with the refresh token revokes its access token and the refresh token.
    let second = p.control.issue_token();
    let r = post_token(&p, "/revoke", &second.refresh_token).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap(), json!({}));
    assert_eq!(introspect(&p, &second.access_token).await["active"], false);
    assert_eq!(
        post_token(&p, "/refresh", &second.refresh_token)
            .await
            .status(),
        401
    );
    // Unknown tokens are not an error (RFC 7009).
    assert_eq!(post_token(&p, "/revoke", "nonsense").await.status(), 200);

    // Signed with a key the provider never published, under a published kid.
    let mut header = jsonwebtoken::Header::new(Algorithm::RS256);
    header.kid = Some(p.control.active_kid());
    let claims = json!({"sub": "x", "exp": chrono::Utc::now().timestamp() + 600, "jti": "j"});
    let forged = jsonwebtoken::encode(
        &header,
        &claims,
        &jsonwebtoken::EncodingKey::from_rsa_pem(OTHER_KEY).unwrap(),
    )
    .unwrap();
    assert_eq!(introspect(&p, &forged).await["active"], false);
    assert_eq!(introspect(&p, "not-a-jwt").await["active"], false);

    // Expired (no leeway at the provider).
    let mut cfg = Config::new(vec![KEY.to_vec()]);
    cfg.token_ttl_secs = 0;
    let short = start(cfg, "127.0.0.1:0").await.unwrap();
    let t = short.control.issue_token();
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(introspect(&short, &t.access_token).await["active"], false);
}

#[tokio::test]
async fn refresh_issues_a_new_token_and_consumes_the_old_refresh_token() {
    let p = provider().await;
    let issued = p.control.issue_token();
    let r = post_token(&p, "/refresh", &issued.cookie_value).await;
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    let new_cookie = body["token"].as_str().unwrap();
    let doc: Value = serde_json::from_slice(&STANDARD.decode(new_cookie).unwrap()).unwrap();
    let new_access = doc["access_token"].as_str().unwrap();
    assert_ne!(new_access, issued.access_token);
    assert_ne!(doc["refresh_token"], issued.refresh_token);
    verify_with(&jwks(&p).await, new_access).expect("new token verifies");
    assert_eq!(introspect(&p, new_access).await["active"], true);

    // One use: the same refresh token (raw or in the cookie) is now rejected.
    assert_eq!(
        post_token(&p, "/refresh", &issued.cookie_value)
            .await
            .status(),
        401
    );
    assert_eq!(
        post_token(&p, "/refresh", &issued.refresh_token)
            .await
            .status(),
        401
    );
    // The new one works, once.
    assert_eq!(post_token(&p, "/refresh", new_cookie).await.status(), 200);

    // Revoking a refreshed grant revokes every access token it produced.
    let grant = p.control.issue_token();
    let r: Value = post_token(&p, "/refresh", &grant.refresh_token)
        .await
        .json()
        .await
        .unwrap();
    let refreshed = r["token"].as_str().unwrap();
    let doc: Value = serde_json::from_slice(&STANDARD.decode(refreshed).unwrap()).unwrap();
    post_token(&p, "/revoke", doc["refresh_token"].as_str().unwrap()).await;
    assert_eq!(introspect(&p, &grant.access_token).await["active"], false);
    assert_eq!(introspect(&p, refreshed).await["active"], false);
}

#[tokio::test]
async fn login_redirects_to_the_callback_with_token_and_ref() {
    let p = provider().await;
    let callback = "http://127.0.0.1:9081/api/user/token";
    let reference = URL_SAFE_NO_PAD.encode("/settings?tab=prefs");
    let url = format!(
        "{}/login?source={}&provider_version=v0.3.14&meshery_version=0.1.0&ref={reference}",
        p.base_url,
        URL_SAFE_NO_PAD.encode(callback)
    );
    let r = client().get(url).send().await.unwrap();
    assert_eq!(r.status(), 302);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    assert!(
        location.starts_with(&format!("{callback}?token=")),
        "{location}"
    );
    let parsed = reqwest::Url::parse(&location).unwrap();
    let q: std::collections::HashMap<_, _> = parsed.query_pairs().into_owned().collect();
    assert_eq!(q["ref"], reference);
    let doc: Value = serde_json::from_slice(&STANDARD.decode(&q["token"]).unwrap()).unwrap();
    assert_eq!(
        introspect(&p, doc["access_token"].as_str().unwrap()).await["active"],
        true
    );

    // A callback that already has a query gets `&`; no ref, no `ref=`.
    let with_query = "http://localhost:7000/cb?state=1";
    let r = client()
        .get(format!(
            "{}/login?source={}",
            p.base_url,
            URL_SAFE_NO_PAD.encode(with_query)
        ))
        .send()
        .await
        .unwrap();
    let location = r.headers()["location"].to_str().unwrap();
    assert!(
        location.starts_with("http://localhost:7000/cb?state=1&token="),
        "{location}"
    );
    assert!(!location.contains("ref="));

    for bad in ["", "?source=%21%21", "?source="] {
        let r = client()
            .get(format!("{}/login{bad}", p.base_url))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{bad}");
    }
}

#[tokio::test]
async fn extension_endpoints_require_a_token() {
    let p = provider().await;
    let c = client();
    let base = &p.base_url;
    for (method, path) in [
        (reqwest::Method::GET, "/extensions/hello?name=x"),
        (reqwest::Method::POST, "/extensions/echo"),
        (reqwest::Method::GET, "/extensions/status/200"),
        (reqwest::Method::GET, "/user"),
        (reqwest::Method::GET, "/user/preferences"),
        (reqwest::Method::GET, "/events"),
    ] {
        let r = c
            .request(method.clone(), format!("{base}{path}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401, "{method} {path}");
        assert!(r.json::<Value>().await.unwrap()["error"].is_string());
        let r = c
            .request(method.clone(), format!("{base}{path}"))
            .bearer_auth("garbage")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401, "{method} {path} with a bad token");
    }
    let doc: Value = c
        .get(format!("{base}/extensions/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(doc["openapi"], "3.0.3");
    assert_eq!(doc["paths"]["/hello"]["get"]["operationId"], "extHello");
    assert_eq!(doc["paths"]["/echo"]["post"]["operationId"], "extEcho");
    assert_eq!(
        doc["paths"]["/status/{code}"]["get"]["operationId"],
        "extStatus"
    );
    assert_eq!(
        doc["paths"]["/hello"]["get"]["tags"][0],
        "Reference extension"
    );
}

#[tokio::test]
async fn extension_endpoints_with_a_token() {
    let p = provider().await;
    let issued = p.control.issue_token();
    let c = client();
    let base = &p.base_url;
    let sub = TestUser::default().sub;

    let hello: Value = c
        .get(format!("{base}/extensions/hello?name=x"))
        .bearer_auth(&issued.access_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        hello,
        json!({"message": "hello x", "user": sub, "method": "GET"})
    );

    // Meshery's way: `bearer <cookie value>` plus X-API-Key; X-API-Key alone also works.
    let r = c
        .get(format!("{base}/extensions/hello"))
        .header("Authorization", format!("bearer {}", issued.cookie_value))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = c
        .get(format!("{base}/extensions/hello"))
        .header("X-API-Key", &issued.cookie_value)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    let r = c
        .post(format!("{base}/extensions/echo?a=1&b=two"))
        .bearer_auth(&issued.access_token)
        .json(&json!({"k": [1, 2]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        json!({"method": "POST", "path": "/extensions/echo", "query": "a=1&b=two",
               "body": {"k": [1, 2]}, "contentType": "application/json"})
    );
    let echoed: Value = c
        .delete(format!("{base}/extensions/echo"))
        .bearer_auth(&issued.access_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(echoed["method"], "DELETE");
    assert_eq!(echoed["body"], Value::Null);

    let r = c
        .get(format!("{base}/extensions/status/418"))
        .bearer_auth(&issued.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 418);
    assert_eq!(r.json::<Value>().await.unwrap()["status"], 418);
    let r = c
        .get(format!("{base}/extensions/status/99"))
        .bearer_auth(&issued.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);

    // A revoked token is refused from then on.
    p.control.revoke(&issued.access_token);
    let r = c
        .get(format!("{base}/extensions/hello"))
        .bearer_auth(&issued.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

#[tokio::test]
async fn capabilities_user_prefs_and_events() {
    let p = provider().await;
    let issued = p.control.issue_token();
    let c = client();
    let base = &p.base_url;

    let anon: Value = c
        .get(format!(
            "{base}/v0.8.0/capabilities?os=linux&playground=false"
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(anon["providerType"], "remote");
    assert_eq!(anon["providerName"], "Reference");
    assert_eq!(anon["providerUrl"], p.base_url);
    assert_eq!(anon["packageVersion"], "v0.1.0");
    assert_eq!(anon["restrictedAccess"]["isMesheryUiRestricted"], false);
    let features = |v: &Value| -> Vec<String> {
        v["capabilities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["feature"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(features(&anon).contains(&"openapi".to_string()));
    assert!(!features(&anon).contains(&"authenticated-capabilities".to_string()));
    let authed: Value = c
        .get(format!("{base}/any/capabilities"))
        .bearer_auth(&issued.cookie_value)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(features(&authed).contains(&"authenticated-capabilities".to_string()));

    let user: Value = c
        .get(format!("{base}/user"))
        .bearer_auth(&issued.access_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let u = TestUser::default();
    assert_eq!(
        user,
        json!({"id": u.sub, "user_id": u.email, "first_name": u.given_name,
               "last_name": u.family_name, "email": u.email, "avatar_url": u.picture})
    );

    let prefs = json!({"anonymousUsageStats": false, "theme": "dark"});
    let r = c
        .put(format!("{base}/user/preferences"))
        .bearer_auth(&issued.access_token)
        .json(&prefs)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let got: Value = c
        .get(format!("{base}/user/preferences"))
        .bearer_auth(&issued.access_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(got, prefs);

    let r = c
        .post(format!("{base}/events"))
        .bearer_auth(&issued.access_token)
        .json(&json!({"description": "hi"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let stored: Value = r.json().await.unwrap();
    assert!(stored["id"].is_string());
    let list: Value = c
        .get(format!("{base}/events"))
        .bearer_auth(&issued.access_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["totalCount"], 1);
    assert_eq!(list["pageSize"], 1);
    assert_eq!(list["page"], 0);
    assert_eq!(list["events"][0], stored);
}

#[tokio::test]
async fn outage_and_request_log() {
    let p = provider().await;
    let c = client();
    p.control.set_down(true);
    let r = c.get(format!("{}/keys", p.base_url)).send().await.unwrap();
    assert_eq!(r.status(), 503);
    p.control.set_down(false);
    let r = c
        .get(format!("{}/logout?x=1", p.base_url))
        .bearer_auth("abc")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let log = p.control.requests();
    assert_eq!(
        log,
        vec![
            RecordedRequest {
                method: "GET".into(),
                path: "/keys".into(),
                authorization: None,
            },
            RecordedRequest {
                method: "GET".into(),
                path: "/logout?x=1".into(),
                authorization: Some("Bearer abc".into()),
            },
        ]
    );
    p.control.clear_requests();
    assert!(p.control.requests().is_empty());
}

#[tokio::test]
async fn start_rejects_bad_keys() {
    assert!(start(Config::new(vec![]), "127.0.0.1:0").await.is_err());
    assert!(
        start(Config::new(vec![b"not a key".to_vec()]), "127.0.0.1:0")
            .await
            .is_err()
    );
}
