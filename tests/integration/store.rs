//! The store's behaviour on both backends. SQLite always; PostgreSQL when
//! `TEST_DATABASE_URL` points at a server (CI starts one), each run in a database of its own.

use crate::common::*;
use meshery_server::client::types::{self, Severity};

async fn exercise(s: &TestServer) {
    let c = s.client();
    let e = c
        .create_event()
        .body(
            types::NewEvent::builder()
                .severity(Severity::Critical)
                .action("Apply")
                .category("Design")
                .description("100% done_ok"),
        )
        .send()
        .await
        .unwrap()
        .into_inner();
    c.create_event()
        .body(
            types::NewEvent::builder()
                .severity(Severity::Debug)
                .action("x")
                .category("y")
                .description("z"),
        )
        .send()
        .await
        .unwrap();
    let found = c
        .get_events()
        .search("100%")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        found.total_count, 1,
        "search is literal and case-insensitive"
    );
    let found = c
        .get_events()
        .search("DONE_OK")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(found.total_count, 1);
    assert_eq!(
        c.get_events()
            .search("don_")
            .send()
            .await
            .unwrap()
            .into_inner()
            .total_count,
        0
    );
    let sev = c
        .get_events()
        .severity(vec![Severity::Critical, Severity::Debug])
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(sev.total_count, 2);
    c.update_user_prefs()
        .body(types::PreferenceUpdate {
            anonymous_usage_stats: Some(false),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    c.update_user_prefs()
        .body(types::PreferenceUpdate {
            anonymous_perf_results: Some(false),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    let p = c.get_user_prefs().send().await.unwrap().into_inner();
    assert!(
        !p.anonymous_usage_stats && !p.anonymous_perf_results,
        "upsert keeps earlier changes"
    );
    let db = c.get_system_database().send().await.unwrap().into_inner();
    assert_eq!(db.record_count, 3);
    c.delete_event().id(e.id).send().await.unwrap();
    c.reset_system_database().send().await.unwrap();
    assert_eq!(
        c.get_events()
            .send()
            .await
            .unwrap()
            .into_inner()
            .total_count,
        0
    );
}

#[tokio::test]
async fn sqlite_store() {
    let s = server().await;
    exercise(&s).await;
    assert!(s.dir.join("mesherydb.sql").exists());
    s.stop().await;
}

#[tokio::test]
async fn postgres_store() {
    let Some(url) = postgres_url().await else {
        return;
    };
    let s = server_with(|c| c.database_url = Some(url.clone())).await;
    exercise(&s).await;
    let reset = s
        .client()
        .reset_system_database()
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(reset.archived_to.is_none());
    s.stop().await;
}

#[tokio::test]
async fn data_survives_a_restart() {
    let dir = temp_dir();
    let first =
        meshery_server::server::start(meshery_server::config::Config::for_tests(dir.clone()))
            .await
            .unwrap();
    let base = format!("http://{}", first.addr);
    meshery_server::client::Client::new(&base)
        .create_event()
        .body(
            types::NewEvent::builder()
                .severity(Severity::Alert)
                .action("a")
                .category("c")
                .description("kept"),
        )
        .send()
        .await
        .unwrap();
    first.shutdown().await.unwrap();
    let second =
        meshery_server::server::start(meshery_server::config::Config::for_tests(dir.clone()))
            .await
            .unwrap();
    let page = meshery_server::client::Client::new(&format!("http://{}", second.addr))
        .get_events()
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(page.total_count, 1);
    second.shutdown().await.unwrap();
    let _ = std::fs::remove_dir_all(dir);
}
