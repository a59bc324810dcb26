//! `meshery-server`: serves REST and GraphQL on :9081 with the Local provider and SQLite
//! unless told otherwise (see `--help`).

use clap::Parser;
use meshery_server::config::Config;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() {
    let config = Config::parse();
    let filter = EnvFilter::try_from_env("RUST_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    if config.log_format == "json" {
        tracing_subscriber::fmt()
            .json()
            .with_env_filter(filter)
            .init();
    } else {
        // Colour only on a terminal: logs collected from a file or a pipe stay plain text.
        let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
        tracing_subscriber::fmt()
            .with_ansi(ansi)
            .with_env_filter(filter)
            .init();
    }
    tracing::info!(config = %config.describe(), "starting meshery-server");
    let running = match meshery_server::server::start(config).await {
        Ok(r) => r,
        Err(e) => {
            tracing::error!("{e}");
            std::process::exit(1);
        }
    };
    tracing::info!(addr = %running.addr, "listening");
    let state = running.state.clone();
    tokio::spawn(async move {
        wait_for_signal().await;
        tracing::info!("shutting down: no new connections, in-flight requests may finish");
        let _ = state.shutdown.send(true);
    });
    if let Err(e) = running.wait().await {
        tracing::error!("server error: {e}");
        std::process::exit(1);
    }
    tracing::info!("stopped");
}

async fn wait_for_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("SIGTERM handler");
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
