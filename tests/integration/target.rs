//! A load-test target started in the test: known delays and status codes, and a count of
//! the requests it answered.

use poem::listener::{Acceptor, Listener, TcpListener};
use poem::web::{Data, Path};
use poem::{EndpointExt, Route, get, handler, http::StatusCode};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[derive(Default)]
pub struct Counter(AtomicU64);

impl Counter {
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// Answers after `ms` milliseconds.
#[handler]
async fn delay(Path(ms): Path<u64>, Data(n): Data<&Arc<Counter>>) -> &'static str {
    n.0.fetch_add(1, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(ms)).await;
    "ok"
}

/// Answers with the status code.
#[handler]
fn status(Path(code): Path<u16>, Data(n): Data<&Arc<Counter>>) -> StatusCode {
    n.0.fetch_add(1, Ordering::SeqCst);
    StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_REQUEST)
}

pub struct Target {
    pub base: String,
    /// Requests answered so far.
    pub served: Arc<Counter>,
}

impl Target {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }
}

/// Serves `/delay/{ms}` and `/status/{code}` on a free port.
pub async fn target() -> Target {
    let served = Arc::new(Counter::default());
    let acceptor = TcpListener::bind("127.0.0.1:0")
        .into_acceptor()
        .await
        .unwrap();
    let addr = *acceptor.local_addr()[0].as_socket_addr().unwrap();
    let app = Route::new()
        .at("/delay/:ms", get(delay))
        .at("/status/:code", get(status))
        .data(served.clone());
    tokio::spawn(poem::Server::new_with_acceptor(acceptor).run(app));
    Target {
        base: format!("http://{addr}"),
        served,
    }
}
