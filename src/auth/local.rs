//! The Local provider: single-user mode. Every request is its one user; there is no token.

use super::provider::{Capability, Provider, ProviderInfo};
use crate::domain::user::User;
use crate::error::AppError;
use futures::future::BoxFuture;

pub struct LocalProvider {
    version: String,
}

impl LocalProvider {
    pub const NAME: &'static str = "Local";

    pub fn new(version: String) -> Self {
        Self { version }
    }

    /// The fixed user of single-user mode, as Meshery's Local provider has it.
    pub fn user() -> User {
        User {
            id: "meshery".into(),
            user_id: "meshery".into(),
            first_name: "Meshery".into(),
            last_name: "Meshery".into(),
            email: String::new(),
            avatar_url: String::new(),
            provider: Self::NAME.into(),
        }
    }
}

impl Provider for LocalProvider {
    fn name(&self) -> &str {
        Self::NAME
    }

    fn info(&self) -> ProviderInfo {
        let cap = |f: &str| Capability {
            feature: f.into(),
            endpoint: String::new(),
        };
        ProviderInfo {
            provider_type: "local",
            package_version: self.version.clone(),
            package_url: String::new(),
            provider_name: Self::NAME.into(),
            provider_description: vec![
                "Ephemeral sessions".into(),
                "Environment setup not saved".into(),
                "No performance or conformance test result history".into(),
                "Free Use".into(),
            ],
            provider_url: String::new(),
            extensions: Default::default(),
            capabilities: vec![
                cap("persist-meshery-patterns"),
                cap("persist-meshery-applications"),
                cap("persist-meshery-filters"),
                cap("persist-credentials"),
                cap("persist-events"),
            ],
            restricted_access: None,
        }
    }

    fn authenticate<'a>(
        &'a self,
        _token: Option<&'a str>,
    ) -> BoxFuture<'a, Result<User, AppError>> {
        Box::pin(async { Ok(Self::user()) })
    }

    fn login_url(&self, _callback: &str, _return_to: &str) -> Option<String> {
        None
    }
}
