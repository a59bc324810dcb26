//! Server configuration: command-line flags, with Meshery's environment variable names as
//! fallbacks so existing deployments keep working.

use clap::Parser;
use std::path::PathBuf;

#[derive(Parser, Debug, Clone)]
#[command(name = "meshery-server", version, about = "Meshery's API server")]
pub struct Config {
    /// Address to listen on. (Not `HOST`: zsh and others set that to the machine name.)
    #[arg(long, env = "MESHERY_HOST", default_value = "0.0.0.0")]
    pub host: String,
    /// Port to listen on (0 picks a free one).
    #[arg(long, env = "PORT", default_value_t = 9081)]
    pub port: u16,
    /// Provider used when a request names none (`Local`; `None` is its legacy name).
    #[arg(long, env = "PROVIDER", default_value = "Local")]
    pub provider: String,
    /// Remote provider base URLs, comma-separated.
    #[arg(long, env = "PROVIDER_BASE_URLS", value_delimiter = ',')]
    pub provider_base_urls: Vec<String>,
    /// Read remote providers' capabilities from this JSON file instead of probing them.
    #[arg(long, env = "PROVIDER_CAPABILITIES_FILEPATH")]
    pub provider_capabilities_filepath: Option<PathBuf>,
    /// Seconds a call to a remote provider (keys, introspection, capabilities, preferences) may take.
    #[arg(long, env = "PROVIDER_TIMEOUT_SECS", default_value_t = 5)]
    pub provider_timeout_secs: u64,
    /// Seconds a request forwarded to `/api/extensions/*` may take.
    #[arg(long, env = "EXTENSION_TIMEOUT_SECS", default_value_t = 30)]
    pub extension_timeout_secs: u64,
    /// Where the OAuth callback of remote providers lands.
    #[arg(long, env = "MESHERY_SERVER_CALLBACK_URL")]
    pub callback_url: Option<String>,
    /// `postgres://…` selects PostgreSQL; otherwise SQLite at `<user-data-folder>/mesherydb.sql`.
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: Option<String>,
    /// Folder of the SQLite database and its archives (default `~/.meshery/config`).
    #[arg(long, env = "USER_DATA_FOLDER")]
    pub user_data_folder: Option<PathBuf>,
    /// Build name reported by `/api/system/version`.
    #[arg(long, env = "BUILD", default_value = env!("CARGO_PKG_VERSION"))]
    pub build: String,
    #[arg(long, env = "COMMITSHA", default_value = "unknown")]
    pub commitsha: String,
    #[arg(long, env = "RELEASE_CHANNEL", default_value = "stable")]
    pub release_channel: String,
    /// Largest accepted request body.
    #[arg(long, env = "MAX_BODY_BYTES", default_value_t = 2 * 1024 * 1024)]
    pub max_body_bytes: usize,
    /// Largest accepted total size of request header names and values.
    #[arg(long, env = "MAX_HEADER_BYTES", default_value_t = 64 * 1024)]
    pub max_header_bytes: usize,
    /// Deep enough for the standard introspection query (13 levels), which GraphQL tools send.
    #[arg(long, env = "GRAPHQL_MAX_DEPTH", default_value_t = 16)]
    pub graphql_max_depth: usize,
    #[arg(long, env = "GRAPHQL_MAX_COMPLEXITY", default_value_t = 500)]
    pub graphql_max_complexity: usize,
    /// Longest load test a run may ask for, in seconds.
    #[arg(long, env = "PERF_MAX_DURATION_SECS", default_value_t = 3600)]
    pub perf_max_duration_secs: u64,
    /// Most load tests running at once on this server (a run needs a target's worth of CPU
    /// and sockets; more are refused with 429 rather than degrading every test's accuracy).
    #[arg(long, env = "PERF_MAX_CONCURRENT_RUNS", default_value_t = 4)]
    pub perf_max_concurrent_runs: usize,
    /// Most connections a load test may open.
    #[arg(long, env = "PERF_MAX_CONNECTIONS", default_value_t = 1024)]
    pub perf_max_connections: usize,
    /// Longest the scheduler waits before looking for schedules again, in seconds. It also
    /// wakes at each stored tick and whenever this server saves or deletes a schedule; this
    /// bound is how soon it sees schedules saved through another replica.
    #[arg(long, env = "SCHEDULE_POLL_SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub schedule_poll_secs: u64,
    /// Largest accepted WebSocket message.
    #[arg(long, env = "WS_MAX_MESSAGE_BYTES", default_value_t = 64 * 1024)]
    pub ws_max_message_bytes: usize,
    /// Seconds a GraphQL WebSocket may wait before `connection_init`.
    #[arg(long, env = "WS_INIT_TIMEOUT_SECS", default_value_t = 10)]
    pub ws_init_timeout_secs: u64,
    /// Seconds in-flight requests get to finish on SIGTERM/SIGINT.
    #[arg(long, env = "SHUTDOWN_TIMEOUT_SECS", default_value_t = 10)]
    pub shutdown_timeout_secs: u64,
    /// Seconds between SSE keep-alive comments.
    #[arg(long, env = "SSE_KEEPALIVE_SECS", default_value_t = 15)]
    pub sse_keepalive_secs: u64,
    /// Allowed JWT clock skew in seconds (at most 300).
    #[arg(long, env = "JWT_LEEWAY_SECS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(0..=300))]
    pub jwt_leeway_secs: u64,
    /// `text` or `json` logs.
    #[arg(long, env = "LOG_FORMAT", default_value = "text")]
    pub log_format: String,
}

impl Config {
    /// Settings as printed at start: secrets (database password) masked.
    pub fn describe(&self) -> String {
        let db = self
            .database_url
            .as_deref()
            .map(mask_url)
            .unwrap_or_else(|| "sqlite (default)".into());
        format!(
            "listen={}:{} provider={} provider_base_urls={:?} database={} user_data_folder={} build={} max_body_bytes={} graphql_max_depth={} graphql_max_complexity={}",
            self.host,
            self.port,
            self.provider,
            self.provider_base_urls,
            db,
            self.data_folder().display(),
            self.build,
            self.max_body_bytes,
            self.graphql_max_depth,
            self.graphql_max_complexity,
        )
    }

    pub fn data_folder(&self) -> PathBuf {
        self.user_data_folder.clone().unwrap_or_else(|| {
            let home = std::env::var_os("HOME")
                .map(PathBuf::from)
                .unwrap_or_else(|| ".".into());
            home.join(".meshery").join("config")
        })
    }

    /// A configuration for tests: port 0 on loopback, everything else default.
    pub fn for_tests(data_folder: PathBuf) -> Self {
        let mut c = Config::parse_from(["meshery-server"]);
        c.host = "127.0.0.1".into();
        c.port = 0;
        c.user_data_folder = Some(data_folder);
        c.database_url = None;
        c.provider = "Local".into();
        c.provider_base_urls = vec![];
        c
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
pub fn mask_url(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://")
        && let Some((creds, host)) = rest.rsplit_once('@')
    {
        let user = creds.split(':').next().unwrap_or("");
        return format!("{scheme}://{user}:***@{host}");
    }
    url.to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_masked() {
        assert_eq!(
            super::mask_url("postgres://u:pw@h:5432/d"),
            "postgres://u:***@h:5432/d"
        );
        assert_eq!(super::mask_url("postgres://h/d"), "postgres://h/d");
    }
}
