//! The SDK client as the CLI sets it up, and the CLI's one error type. Every request goes
//! through [`connect`]'s client, so the token and provider travel with all of them.

use clap::Args;
use meshery_server::client::{Client, types};
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue};
use std::time::Duration;

/// Where the server is and who is asking.
#[derive(Args, Debug)]
pub struct Connection {
    /// Base URL of the Meshery server.
    #[arg(
        long,
        env = "MESHERY_SERVER",
        default_value = "http://localhost:9081",
        global = true,
        help_heading = "Connection"
    )]
    pub server: String,
    /// Access token (a JWT from the remote provider), sent as `Authorization: Bearer`.
    #[arg(
        long,
        env = "MESHERY_TOKEN",
        hide_env_values = true,
        global = true,
        help_heading = "Connection"
    )]
    pub token: Option<String>,
    /// Provider to use instead of the server's default, sent as the `meshery-provider` header.
    #[arg(long, global = true, help_heading = "Connection")]
    pub provider: Option<String>,
}

impl Connection {
    /// The server URL without a trailing `/` (the SDK appends paths that start with one).
    pub fn base(&self) -> &str {
        self.server.trim_end_matches('/')
    }
}

/// The SDK client. Built here rather than with `Client::new`, whose 15-second total timeout
/// would cut off any run streaming for longer than that; only connecting is bounded.
pub fn connect(conn: &Connection) -> Result<Client, CliError> {
    let mut headers = HeaderMap::new();
    if let Some(token) = &conn.token {
        let mut v = HeaderValue::from_str(&format!("Bearer {token}"))
            .map_err(|_| CliError::Other("--token holds characters a header cannot".into()))?;
        v.set_sensitive(true);
        headers.insert(AUTHORIZATION, v);
    }
    if let Some(provider) = &conn.provider {
        let v = HeaderValue::from_str(provider)
            .map_err(|_| CliError::Other("--provider holds characters a header cannot".into()))?;
        headers.insert(HeaderName::from_static("meshery-provider"), v);
    }
    let http = reqwest::Client::builder()
        .default_headers(headers)
        .connect_timeout(Duration::from_secs(15))
        .build()
        .map_err(|e| CliError::Other(format!("cannot set up the HTTP client: {e}")))?;
    Ok(Client::new_with_client(conn.base(), http))
}

/// Why a command failed. Each prints as one `error: …` line (plus the remediation for the
/// server's errors) and makes the process exit with 1.
#[derive(Debug)]
pub enum CliError {
    /// The server's error body.
    Server(types::Error),
    /// No answer from the server, or the connection broke.
    Unreachable { server: String, cause: String },
    /// A run ended with an `error` message.
    RunFailed(String),
    /// Anything else: a bad value, an unreadable file, an answer the contract does not list.
    Other(String),
}

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CliError::Server(e) => {
                write!(f, "error: {} ({})", e.error, e.code)?;
                if !e.suggested_remediation.is_empty() {
                    write!(f, "\n  remediation: {}", e.suggested_remediation)?;
                }
                Ok(())
            }
            CliError::Unreachable { server, cause } => {
                write!(f, "error: cannot reach the server at {server}: {cause}")
            }
            CliError::RunFailed(message) => write!(f, "error: the run failed: {message}"),
            CliError::Other(message) => write!(f, "error: {message}"),
        }
    }
}

/// The innermost cause of an error: for reqwest that is the useful part ("Connection refused"),
/// the outer messages only repeat the URL.
pub fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut e = e;
    while let Some(source) = e.source() {
        e = source;
    }
    e.to_string()
}

/// Turns an SDK error into the CLI's.
pub async fn api_error(server: &str, e: meshery_server::client::Error<types::Error>) -> CliError {
    use meshery_server::client::Error as E;
    match e {
        E::ErrorResponse(body) => CliError::Server(body.into_inner()),
        E::CommunicationError(e) | E::ResponseBodyError(e) | E::InvalidUpgrade(e) => {
            CliError::Unreachable {
                server: server.to_string(),
                cause: root_cause(&e),
            }
        }
        // A status the contract does not list (a proxy's 502, a 500): the body may still be
        // the server's error format.
        E::UnexpectedResponse(r) => {
            let status = r.status();
            let body = r.bytes().await.unwrap_or_default();
            match serde_json::from_slice::<types::Error>(&body) {
                Ok(e) => CliError::Server(e),
                Err(_) => CliError::Other(format!(
                    "unexpected answer from {server}: {status} {}",
                    String::from_utf8_lossy(&body).trim()
                )),
            }
        }
        E::InvalidResponsePayload(_, e) => CliError::Other(format!(
            "the server's answer does not match the contract: {e}"
        )),
        E::InvalidRequest(m) | E::Custom(m) => CliError::Other(m),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_errors_print_code_and_remediation() {
        let e: types::Error = serde_json::from_value(serde_json::json!({
            "error": "performance profile not found",
            "code": "meshery-server-1004",
            "severity": "ERROR",
            "probableCause": "no such id",
            "suggestedRemediation": "list the profiles with `perf profiles`"
        }))
        .unwrap();
        assert_eq!(
            CliError::Server(e).to_string(),
            "error: performance profile not found (meshery-server-1004)\n  \
             remediation: list the profiles with `perf profiles`"
        );
    }

    #[test]
    fn the_base_url_loses_its_trailing_slash() {
        let c = Connection {
            server: "http://h:1/".into(),
            token: None,
            provider: None,
        };
        assert_eq!(c.base(), "http://h:1");
    }
}
