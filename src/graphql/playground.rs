//! The GraphQL Playground, served entirely by this server: the page is ours and its script
//! and stylesheet come from the `graphql-playground-react` npm package, fetched by `build.rs`
//! at build time and embedded in the binary, so the Playground works with no network access.

use poem::endpoint::make_sync;
use poem::web::Html;
use poem::{Response, Route, get};

const JS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/playground/middleware.js"));
const CSS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/playground/index.css"));

const PAGE: &str = r#"<!DOCTYPE html>
<html>
<head>
  <meta charset="utf-8" />
  <meta name="viewport" content="user-scalable=no, initial-scale=1.0, minimum-scale=1.0, maximum-scale=1.0, minimal-ui" />
  <title>Meshery GraphQL Playground</title>
  <link rel="stylesheet" href="/api/system/graphql/playground/static/index.css" />
  <script src="/api/system/graphql/playground/static/middleware.js"></script>
</head>
<body>
  <div id="root"></div>
  <script>
    window.addEventListener('load', function () {
      var loc = window.location;
      var ws = (loc.protocol === 'https:' ? 'wss://' : 'ws://') + loc.host + '/api/system/graphql/query';
      GraphQLPlayground.init(document.getElementById('root'), {
        endpoint: loc.origin + '/api/system/graphql/query',
        subscriptionEndpoint: ws,
        settings: { 'request.credentials': 'same-origin', 'schema.polling.enable': false }
      });
    });
  </script>
</body>
</html>"#;

fn asset(bytes: &'static [u8], ct: &'static str) -> Response {
    Response::builder()
        .content_type(ct)
        .header("cache-control", "public, max-age=86400")
        .body(bytes)
}

pub fn routes() -> Route {
    Route::new()
        .at(
            "/",
            get(make_sync(|_| Html(PAGE))).post(make_sync(|_| Html(PAGE))),
        )
        .at(
            "/static/middleware.js",
            get(make_sync(|_| {
                asset(JS, "application/javascript; charset=utf-8")
            })),
        )
        .at(
            "/static/index.css",
            get(make_sync(|_| asset(CSS, "text/css; charset=utf-8"))),
        )
}
