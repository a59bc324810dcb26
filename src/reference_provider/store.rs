//! In-memory state: grants (refresh tokens and the access tokens minted under them),
//! revocations, and the per-user preferences, events and load-test results a remote provider
//! persists.
//!
//! Nothing survives a restart on purpose: the provider exists for tests and local
//! development, where a clean slate per run is what one wants.

use serde_json::Value;
use std::collections::{HashMap, HashSet};

/// One login, followed through its refreshes; revoking it revokes every access token it
/// produced, which is what Meshery expects of `/revoke` on logout.
struct Grant {
    sub: String,
    access_jtis: Vec<String>,
}

#[derive(Default)]
pub(crate) struct Store {
    revoked_jtis: HashSet<String>,
    grants: HashMap<String, Grant>,
    prefs: HashMap<String, Value>,
    /// Per kind (`events`, `results`) and user, what was handed over, in order.
    items: HashMap<(&'static str, String), Vec<Value>>,
}

impl Store {
    pub(crate) fn add_grant(&mut self, refresh_token: String, sub: String, jti: String) {
        self.grants.insert(
            refresh_token,
            Grant {
                sub,
                access_jtis: vec![jti],
            },
        );
    }

    /// Consumes a refresh token (one use) and returns its subject, then files the new pair
    /// under the same grant via `continue_grant`.
    pub(crate) fn take_grant(&mut self, refresh_token: &str) -> Option<(String, Vec<String>)> {
        self.grants
            .remove(refresh_token)
            .map(|g| (g.sub, g.access_jtis))
    }

    pub(crate) fn continue_grant(
        &mut self,
        refresh_token: String,
        sub: String,
        mut access_jtis: Vec<String>,
        jti: String,
    ) {
        access_jtis.push(jti);
        self.grants
            .insert(refresh_token, Grant { sub, access_jtis });
    }

    /// Revokes a refresh token and every access token of its grant; unknown tokens are
    /// ignored, as RFC 7009 asks.
    pub(crate) fn revoke_grant(&mut self, refresh_token: &str) -> bool {
        match self.grants.remove(refresh_token) {
            Some(g) => {
                self.revoked_jtis.extend(g.access_jtis);
                true
            }
            None => false,
        }
    }

    pub(crate) fn revoke_access(&mut self, jti: &str) {
        self.revoked_jtis.insert(jti.to_string());
    }

    pub(crate) fn is_revoked(&self, jti: &str) -> bool {
        self.revoked_jtis.contains(jti)
    }

    pub(crate) fn prefs(&self, sub: &str) -> Value {
        self.prefs
            .get(sub)
            .cloned()
            .unwrap_or_else(|| Value::Object(Default::default()))
    }

    pub(crate) fn set_prefs(&mut self, sub: &str, prefs: Value) {
        self.prefs.insert(sub.to_string(), prefs);
    }

    pub(crate) fn add_item(&mut self, kind: &'static str, sub: &str, item: Value) {
        self.items
            .entry((kind, sub.to_string()))
            .or_default()
            .push(item);
    }

    pub(crate) fn items(&self, kind: &'static str, sub: &str) -> Vec<Value> {
        self.items
            .get(&(kind, sub.to_string()))
            .cloned()
            .unwrap_or_default()
    }
}
