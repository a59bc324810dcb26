use crate::common::*;

#[tokio::test]
async fn providers_list_select_and_capabilities() {
    let s = server().await;
    let c = s.client();
    let all = c.get_providers().send().await.unwrap().into_inner();
    assert_eq!(all.keys().collect::<Vec<_>>(), vec!["Local"]);
    assert_eq!(
        all["Local"].provider_type,
        meshery_server::client::types::ProviderType::Local
    );

    // `None` is the Local provider's legacy name; the cookie is HttpOnly and SameSite=Lax.
    let r = c.select_provider().provider("None").send().await.unwrap();
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("meshery-provider=Local;"), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );

    let err = c
        .select_provider()
        .provider("Nope")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));

    let caps = c
        .get_provider_capabilities()
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(
        caps.capabilities
            .iter()
            .any(|c| c.feature == "persist-events")
    );
    s.stop().await;
}

#[tokio::test]
async fn unknown_provider_in_cookie_header_or_query_is_a_400() {
    let s = server().await;
    let http = reqwest::Client::new();
    for req in [
        http.get(s.url("/api/user"))
            .header("cookie", "meshery-provider=Nope"),
        http.get(s.url("/api/user"))
            .header("meshery-provider", "Nope"),
        http.get(s.url("/api/user?provider=Nope")),
    ] {
        let r = req.send().await.unwrap();
        assert_eq!(r.status(), 400);
        assert_eq!(
            assert_error_body(&r.json().await.unwrap()),
            "meshery-server-1002"
        );
    }
    s.stop().await;
}
