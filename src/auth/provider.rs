//! Providers decide authentication. [`Provider`] is the seam: the Local provider accepts every
//! request as its single user; remote providers verify the provider's access tokens. Login,
//! refresh, logout and capability-driven persistence extend this trait later without touching
//! handlers, which only ever see a `RequestContext`.

use crate::domain::user::User;
use crate::error::AppError;
use futures::future::BoxFuture;
use std::collections::BTreeMap;
use std::sync::Arc;

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

pub trait Provider: Send + Sync + 'static {
    /// Registration key, as used in the `meshery-provider` cookie.
    fn name(&self) -> &str;
    fn info(&self) -> ProviderInfo;
    /// Verifies the request's access token (absent if it carried none) and returns the user.
    fn authenticate<'a>(&'a self, token: Option<&'a str>) -> BoxFuture<'a, Result<User, AppError>>;
    /// Where a browser without a valid session is sent, or `None` if it needs no login.
    fn login_url(&self, callback: &str, return_to: &str) -> Option<String>;
}

/// The configured providers, by registration key.
pub struct Providers {
    by_name: BTreeMap<String, Arc<dyn Provider>>,
}

impl Providers {
    pub fn new(list: Vec<Arc<dyn Provider>>) -> Self {
        Self {
            by_name: list
                .into_iter()
                .map(|p| (p.name().to_string(), p))
                .collect(),
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
}
