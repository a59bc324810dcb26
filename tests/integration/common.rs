//! Starting a real server for a test, and waiting on conditions without sleeps.

use meshery_server::client::Client;
use meshery_server::config::Config;
use meshery_server::server::{Running, start};
use std::path::PathBuf;

pub struct TestServer {
    pub base: String,
    pub running: Option<Running>,
    pub dir: PathBuf,
}

impl TestServer {
    pub fn client(&self) -> Client {
        Client::new(&self.base)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn ws_url(&self, path: &str) -> String {
        format!("{}{}", self.base.replacen("http://", "ws://", 1), path)
    }

    pub async fn stop(mut self) {
        if let Some(r) = self.running.take() {
            r.shutdown().await.expect("clean shutdown");
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub fn temp_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("meshery-test-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// A server with the Local provider and a fresh SQLite database.
pub async fn server() -> TestServer {
    server_with(|_| {}).await
}

pub async fn server_with(configure: impl FnOnce(&mut Config)) -> TestServer {
    let dir = temp_dir();
    let mut config = Config::for_tests(dir.clone());
    configure(&mut config);
    let running = start(config).await.expect("server starts");
    TestServer {
        base: format!("http://{}", running.addr),
        running: Some(running),
        dir,
    }
}

/// A fresh PostgreSQL database URL, or `None` (with a note) when no server is configured.
pub async fn postgres_url() -> Option<String> {
    let Ok(admin) = std::env::var("TEST_DATABASE_URL") else {
        eprintln!("note: TEST_DATABASE_URL is unset; the PostgreSQL tests are skipped");
        return None;
    };
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&admin)
        .await
        .expect("TEST_DATABASE_URL reachable");
    let name = format!("meshery_test_{}", uuid::Uuid::new_v4().simple());
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .unwrap();
    let base = admin.rsplit_once('/').map(|(b, _)| b.to_string()).unwrap();
    Some(format!("{base}/{name}"))
}

/// Asserts the one error format and returns the code.
pub fn assert_error_body(body: &serde_json::Value) -> String {
    for key in [
        "error",
        "code",
        "severity",
        "probableCause",
        "suggestedRemediation",
    ] {
        assert!(
            body.get(key).is_some_and(|v| v.is_string()),
            "error body lacks `{key}`: {body}"
        );
    }
    body["code"].as_str().unwrap_or_default().to_string()
}

/// Polls `check` (about every 20 ms) until it returns `Some`; fails the test after `timeout`,
/// saying `what` was awaited. The one way tests wait for something to happen.
pub async fn eventually<T, F, Fut>(what: &str, timeout: std::time::Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

pub type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens a GraphQL WebSocket on `/api/graphql/query` with the given subprotocol.
pub async fn ws_connect(s: &TestServer, protocol: &str) -> Ws {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let mut req = s
        .ws_url("/api/graphql/query")
        .into_client_request()
        .unwrap();
    req.headers_mut()
        .insert("sec-websocket-protocol", protocol.parse().unwrap());
    tokio_tungstenite::connect_async(req).await.unwrap().0
}

/// Reads until the server closes the socket; fails the test after `secs`.
pub async fn ws_wait_closed(ws: &mut Ws, secs: u64, why: &str) {
    use futures::StreamExt;
    let closed = tokio::time::timeout(std::time::Duration::from_secs(secs), async {
        loop {
            match ws.next().await {
                None | Some(Err(_)) => break,
                Some(Ok(m)) if m.is_close() => break,
                Some(Ok(_)) => {}
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "{why}");
}
