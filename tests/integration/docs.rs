//! `generated-docs/` is exactly what the contracts generate (run `cargo run --bin gen-docs`
//! after changing a contract), and the server serves the pages.

use crate::common::*;
use meshery_server::generated::docs;

#[test]
fn generated_docs_are_up_to_date() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("generated-docs");
    for (file, want) in [
        ("rest/index.md", docs::REST_MD),
        ("rest/index.html", docs::REST_HTML),
        ("graphql/index.md", docs::GRAPHQL_MD),
        ("graphql/index.html", docs::GRAPHQL_HTML),
    ] {
        let have = std::fs::read_to_string(root.join(file)).unwrap_or_default();
        assert!(
            have == want,
            "generated-docs/{file} is stale: run `cargo run --bin gen-docs`"
        );
    }
}

#[tokio::test]
async fn docs_and_explorer_are_served_locally() {
    let s = server().await;
    let http = reqwest::Client::new();
    for (path, needle) in [
        ("/docs", "getSystemVersion"),
        ("/docs/rest.md", "meshery-server-1001"),
        ("/docs/graphql", "subscribeEvents"),
        ("/docs/graphql.md", "getUserPrefs"),
        ("/docs/explorer", "swagger"),
    ] {
        let r = http.get(s.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let body = r.text().await.unwrap();
        assert!(body.contains(needle), "{path} lacks {needle}");
        assert!(
            !body.contains("cdn.jsdelivr") && !body.contains("unpkg.com"),
            "{path} loads from a CDN"
        );
    }
    s.stop().await;
}
