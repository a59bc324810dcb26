//! Providers decide authentication. [`Provider`] is the seam: the Local provider accepts every
//! request as its single user; remote providers verify the provider's access tokens, are
//! probed for their capabilities, and take part in login and logout. Handlers only ever see a
//! `RequestContext`, so a provider can change how it does this without touching them.

use crate::domain::user::User;
use crate::error::AppError;
use futures::future::BoxFuture;
use std::collections::BTreeMap;
use std::sync::Arc;
use tokio::sync::broadcast;

#[derive(Clone, Debug, PartialEq)]
pub struct Capability {
    pub feature: String,
    pub endpoint: String,
}

/// Meshery's provider properties (the capabilities JSON).
#[derive(Clone, Debug, PartialEq)]
pub struct ProviderInfo {
    pub provider_type: &'static str,
    pub package_version: String,
    pub package_url: String,
    pub provider_name: String,
    pub provider_description: Vec<String>,
    pub provider_url: String,
    pub extensions: serde_json::Map<String, serde_json::Value>,
    pub capabilities: Vec<Capability>,
    pub restricted_access: Option<serde_json::Map<String, serde_json::Value>>,
}

impl ProviderInfo {
    /// The endpoint of a capability, if the provider has it.
    pub fn capability(&self, feature: &str) -> Option<&str> {
        self.capabilities
            .iter()
            .find(|c| c.feature == feature)
            .map(|c| c.endpoint.as_str())
    }
}

/// The outcome of the last capabilities probe.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProbeState {
    Checking,
    Online,
    Offline,
}

#[derive(Clone, Debug)]
pub struct ProbeStatus {
    pub state: ProbeState,
    pub error: Option<String>,
}

pub trait Provider: Send + Sync + 'static {
    /// Registration key, as used in the `meshery-provider` cookie.
    fn name(&self) -> &str;
    fn info(&self) -> ProviderInfo;
    /// The properties as the provider describes them to this user (after login), else `info`.
    fn info_for(&self, _user_id: &str) -> ProviderInfo {
        self.info()
    }
    fn status(&self) -> ProbeStatus {
        ProbeStatus {
            state: ProbeState::Online,
            error: None,
        }
    }
    /// Asks the provider for its capabilities again (a no-op for the Local provider).
    fn probe(&self) -> BoxFuture<'_, ()> {
        Box::pin(async {})
    }
    /// The same, with a user's token: after login Meshery reloads capabilities as the user.
    fn probe_as<'a>(&'a self, _token: Option<&'a str>) -> BoxFuture<'a, ()> {
        Box::pin(async {})
    }
    /// Verifies the request's access token (absent if it carried none) and returns the user.
    fn authenticate<'a>(&'a self, token: Option<&'a str>) -> BoxFuture<'a, Result<User, AppError>>;
    /// Where a browser without a valid session is sent, or `None` if it needs no login.
    fn login_url(&self, callback: &str, return_to: &str) -> Option<String>;
    /// Ends the session the `token` cookie stands for at the provider (best effort).
    fn logout<'a>(&'a self, _token_cookie: Option<&'a str>) -> BoxFuture<'a, ()> {
        Box::pin(async {})
    }
    /// The user's preferences as the provider keeps them (`sync-prefs`), or `None` when this
    /// server keeps them (the Local provider).
    fn load_prefs<'a>(
        &'a self,
        _session: &'a super::Session,
    ) -> BoxFuture<'a, Result<Option<serde_json::Value>, AppError>> {
        Box::pin(async { Ok(None) })
    }
    /// Stores the preferences with the provider; `false` when this server keeps them.
    fn save_prefs<'a>(
        &'a self,
        _session: &'a super::Session,
        _prefs: &'a serde_json::Value,
    ) -> BoxFuture<'a, Result<bool, AppError>> {
        Box::pin(async { Ok(false) })
    }
    /// Hands a new event to the provider (`persist-events`); a no-op for the Local provider.
    fn persist_event<'a>(
        &'a self,
        _session: &'a super::Session,
        _event: &'a serde_json::Value,
    ) -> BoxFuture<'a, Result<(), AppError>> {
        Box::pin(async { Ok(()) })
    }
    /// Hands a stored load-test result to the provider (`persist-results`). `Ok(false)` when
    /// the provider keeps no results (the Local provider, or a remote one without the
    /// capability): this server's copy is then the only one.
    fn persist_result<'a>(
        &'a self,
        _session: &'a super::Session,
        _result: &'a serde_json::Value,
    ) -> BoxFuture<'a, Result<bool, AppError>> {
        Box::pin(async { Ok(false) })
    }
    /// The user's events as the provider lists them (`get-events`); none for the Local provider.
    fn fetch_events<'a>(
        &'a self,
        _session: &'a super::Session,
    ) -> BoxFuture<'a, Result<Vec<serde_json::Value>, AppError>> {
        Box::pin(async { Ok(vec![]) })
    }
    /// Exchanges a `token` cookie value for a new one at `{base}/refresh`.
    fn refresh<'a>(&'a self, _cookie: &'a str) -> BoxFuture<'a, Result<String, AppError>> {
        Box::pin(async {
            Err(AppError::unauthenticated(
                "this provider has no sessions to refresh",
            ))
        })
    }
    /// The provider's OpenAPI document for its extension endpoints, if it publishes one.
    fn extension_openapi(&self) -> Option<serde_json::Value> {
        None
    }
    /// The base URL extension requests are forwarded to; `None` for the Local provider.
    fn base_url(&self) -> Option<&str> {
        None
    }
}

/// The configured providers, by registration key, and a channel announcing probe results.
pub struct Providers {
    by_name: BTreeMap<String, Arc<dyn Provider>>,
    updates: broadcast::Sender<String>,
}

impl Providers {
    pub fn new(list: Vec<Arc<dyn Provider>>, updates: broadcast::Sender<String>) -> Self {
        Self {
            by_name: list
                .into_iter()
                .map(|p| (p.name().to_string(), p))
                .collect(),
            updates,
        }
    }

    /// Looks a provider up by name; `None` is the Local provider's legacy name.
    pub fn get(&self, name: &str) -> Option<Arc<dyn Provider>> {
        let name = if name.eq_ignore_ascii_case("none") {
            super::LocalProvider::NAME
        } else {
            name
        };
        self.by_name.get(name).cloned()
    }

    pub fn all(&self) -> impl Iterator<Item = &Arc<dyn Provider>> {
        self.by_name.values()
    }

    /// Names of providers whose probe finished, from now on.
    pub fn updates(&self) -> broadcast::Receiver<String> {
        self.updates.subscribe()
    }

    /// Probes every provider concurrently, in the background.
    pub fn probe_all(&self) {
        for p in self.by_name.values() {
            let p = Arc::clone(p);
            tokio::spawn(async move { p.probe().await });
        }
    }
}
