//! A reference remote provider: a small server that speaks Meshery's remote-provider
//! protocol, for integration tests and local development. **Not for production**: it
//! approves a single configured user without any sign-in and keeps everything in memory.
//!
//! It exists because meshery-server's remote-provider path (login redirect, token cookie,
//! JWKS verification, introspection, refresh, logout, extension proxy) cannot otherwise be
//! exercised without an account at a hosted provider. [`Control`] lets tests provoke what a
//! real provider does rarely (key rotation, revocation, outages) and see what it received.
//!
//! Endpoints (see `routes.rs` and `extensions.rs`): `GET /{version}/capabilities`,
//! `GET /login`, `GET /logout`, `GET /keys`, `POST /introspect`, `POST /refresh`,
//! `POST /revoke`, `GET /user`, `GET|PUT /user/preferences`, `GET|POST /events`, `GET|POST /results`,
//! `GET /extensions/openapi.json`, `GET /extensions/hello`, `* /extensions/echo`,
//! `GET /extensions/status/{code}`.

mod control;
mod extensions;
mod keys;
mod routes;
mod state;
mod store;
mod tokens;

#[cfg(test)]
mod tests;

pub use control::Control;
pub use state::RecordedRequest;
pub use tokens::Issued;

use keys::KeyRing;
use poem::listener::{Acceptor, Listener, TcpListener};
use state::Shared;
use std::net::SocketAddr;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The user every login approves; the claims of its tokens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestUser {
    pub sub: String,
    pub email: String,
    pub given_name: String,
    pub family_name: String,
    pub picture: String,
}

impl Default for TestUser {
    /// A fixed identity, so tests and repeated local runs see the same user id.
    fn default() -> Self {
        Self {
            sub: "00000000-0000-4000-8000-00000000d3a1".into(),
            email: "dev@example.com".into(),
            given_name: "Dev".into(),
            family_name: "User".into(),
            picture: String::new(),
        }
    }
}

pub struct Config {
    /// `providerName` in the capabilities, e.g. "Reference".
    pub name: String,
    pub user: TestUser,
    /// RSA private keys (PKCS#8 PEM); `keys[0]` signs first, [`Control::rotate_key`] moves on.
    pub keys: Vec<Vec<u8>>,
    /// Access token lifetime.
    pub token_ttl_secs: u64,
    /// `packageVersion` in the capabilities, e.g. "v0.1.0".
    pub package_version: String,
}

impl Config {
    /// Defaults for everything but the keys, which must come from the caller.
    pub fn new(keys: Vec<Vec<u8>>) -> Self {
        Self {
            name: "Reference".into(),
            user: TestUser::default(),
            keys,
            token_ttl_secs: 3600,
            package_version: "v0.1.0".into(),
        }
    }
}

/// A provider that is serving. Dropping it stops the server too (without waiting).
pub struct Running {
    pub addr: SocketAddr,
    /// `http://127.0.0.1:PORT` (a loopback address if bound to all interfaces).
    pub base_url: String,
    pub control: Control,
    stop: Option<oneshot::Sender<()>>,
    handle: Option<JoinHandle<std::io::Result<()>>>,
}

impl Running {
    /// Stops accepting connections and waits for the server task to end.
    pub async fn stop(mut self) -> std::io::Result<()> {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        match self.handle.take() {
            Some(h) => h.await.unwrap_or(Ok(())),
            None => Ok(()),
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}

/// Binds `bind` (e.g. `127.0.0.1:0`) and serves; returns once the socket is listening, so
/// a test can use `base_url` at once.
pub async fn start(cfg: Config, bind: &str) -> std::io::Result<Running> {
    let keys = KeyRing::new(&cfg.keys)?;
    let acceptor = TcpListener::bind(bind.to_string()).into_acceptor().await?;
    let addr = acceptor
        .local_addr()
        .first()
        .and_then(|a| a.as_socket_addr().cloned())
        .ok_or_else(|| std::io::Error::other("listener has no socket address"))?;
    let host = if addr.ip().is_unspecified() {
        SocketAddr::new([127, 0, 0, 1].into(), addr.port())
    } else {
        addr
    };
    let base_url = format!("http://{host}");
    let shared = Arc::new(Shared {
        name: cfg.name,
        user: cfg.user,
        token_ttl_secs: cfg.token_ttl_secs,
        package_version: cfg.package_version,
        base_url: base_url.clone(),
        keys: Mutex::new(keys),
        store: Mutex::default(),
        down: AtomicBool::new(false),
        log: Mutex::default(),
    });
    let app = routes::app(shared.clone());
    let (tx, rx) = oneshot::channel::<()>();
    let handle = tokio::spawn(async move {
        poem::Server::new_with_acceptor(acceptor)
            .run_with_graceful_shutdown(
                app,
                async move {
                    let _ = rx.await;
                },
                Some(Duration::from_secs(1)),
            )
            .await
    });
    Ok(Running {
        addr,
        base_url,
        control: Control { shared },
        stop: Some(tx),
        handle: Some(handle),
    })
}
