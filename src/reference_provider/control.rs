//! [`Control`]: what a test can do to the provider from the outside, without HTTP.
//!
//! Integration tests need to provoke the situations a real provider produces only rarely
//! (key rotation, revocation, an outage) at a moment of their choosing, and to assert what
//! meshery-server sent to the provider.

use super::state::{RecordedRequest, Shared, lock};
use super::tokens::{self, Issued};
use std::sync::Arc;
use std::sync::atomic::Ordering;

/// A cheap, cloneable handle on a running provider.
#[derive(Clone)]
pub struct Control {
    pub(crate) shared: Arc<Shared>,
}

impl Control {
    /// Signs with the next key from now on. The JWKS keeps publishing every key used so far
    /// plus the new one, so tokens minted earlier still verify. With a single key this
    /// changes nothing.
    pub fn rotate_key(&self) {
        lock(&self.shared.keys).rotate();
    }

    /// The `kid` new tokens are signed with.
    pub fn active_kid(&self) -> String {
        lock(&self.shared.keys).active_kid().to_string()
    }

    /// Marks an access token (or a cookie value carrying one) as revoked: `/introspect`
    /// answers inactive and the provider's own endpoints answer 401 for it from now on.
    /// A token the provider cannot read is ignored.
    pub fn revoke(&self, access_token: &str) {
        let token = tokens::access_token_from(access_token);
        // Only the `jti` is needed; whoever holds a `Control` is trusted.
        if let Ok(claims) = jsonwebtoken::dangerous::insecure_decode_claims::<JtiOnly>(&token) {
            lock(&self.shared.store).revoke_access(&claims.jti);
        }
    }

    /// While down, every endpoint answers 503 (requests are still logged), simulating an
    /// outage of the provider.
    pub fn set_down(&self, down: bool) {
        self.shared.down.store(down, Ordering::SeqCst);
    }

    /// Mints a token pair for the configured user without the browser login.
    pub fn issue_token(&self) -> Issued {
        self.shared.issue()
    }

    /// Every request received so far, oldest first (also those answered 503 while down).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.log).clone()
    }

    /// Forgets the request log, so a test can assert on what one step caused.
    pub fn clear_requests(&self) {
        lock(&self.shared.log).clear();
    }
}

#[derive(serde::Deserialize)]
struct JtiOnly {
    jti: String,
}
