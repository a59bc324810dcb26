use crate::common::*;
use meshery_server::client::types;

#[tokio::test]
async fn local_user_prefs_and_token() {
    let s = server().await;
    let c = s.client();
    let u = c.get_user().send().await.unwrap().into_inner();
    assert_eq!(
        (u.user_id.as_str(), u.provider.as_str()),
        ("meshery", "Local")
    );

    let p = c.get_user_prefs().send().await.unwrap().into_inner();
    assert!(p.anonymous_usage_stats);
    assert_eq!(p.load_test_prefs.t.to_string(), "30s");

    let update = types::PreferenceUpdate {
        anonymous_usage_stats: Some(false),
        anonymous_perf_results: None,
        selected_k8s_contexts: vec!["ctx-1".into()],
        load_test_prefs: Some(types::LoadTestPreferences {
            c: std::num::NonZeroU32::new(4).unwrap(),
            qps: 100,
            t: "1m".parse().unwrap(),
            gen_: types::LoadGenerator::Wrk2,
        }),
    };
    let stored = c
        .update_user_prefs()
        .body(update)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(!stored.anonymous_usage_stats);
    assert!(
        stored.anonymous_perf_results,
        "omitted fields keep their value"
    );
    let again = c.get_user_prefs().send().await.unwrap().into_inner();
    assert_eq!(again.selected_k8s_contexts, vec!["ctx-1"]);
    assert_eq!(again.load_test_prefs.gen_, types::LoadGenerator::Wrk2);
    assert!(again.updated_at > p.updated_at);

    let t = c.get_token().send().await.unwrap().into_inner();
    assert_eq!(t.meshery_provider, "Local");
    assert_eq!(t.token, "");
    s.stop().await;
}

#[tokio::test]
async fn bad_prefs_are_rejected_without_change() {
    let s = server().await;
    let http = reqwest::Client::new();
    for body in [
        r#"{"loadTestPrefs":{"c":0,"qps":1,"t":"1m","gen":"fortio"}}"#,
        r#"{"loadTestPrefs":{"c":1,"qps":1,"t":"1 minute","gen":"fortio"}}"#,
        r#"{"loadTestPrefs":{"c":1,"qps":1,"t":"1m","gen":"ab"}}"#,
        r#"{"anonymousUsageStats":"yes"}"#,
    ] {
        let r = http
            .post(s.url("/api/user/prefs"))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{body}");
        assert_error_body(&r.json().await.unwrap());
    }
    let p = s
        .client()
        .get_user_prefs()
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(p.load_test_prefs.c.get(), 1);
    s.stop().await;
}
