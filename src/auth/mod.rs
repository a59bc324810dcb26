//! The provider/auth layer. A request is authenticated once, by [`authenticate`]: resolve the
//! provider, read the credentials, let the provider verify them. The result is an explicit
//! [`RequestContext`] that REST handlers receive as the [`Authenticated`] parameter (generated
//! for every operation whose contract declares security) and GraphQL resolvers receive as an
//! argument. Operations the contract marks public never call it.

mod caller;
mod credentials;
pub mod extensions;
mod extractor;
mod local;
mod provider;
pub mod redirect;
mod remote;
mod session;

pub use caller::Caller;
pub use credentials::{
    bearer_or_cookie_token, refresh_token_from_cookie_value, token_from_cookie_value,
};
pub use extractor::Authenticated;
pub use local::LocalProvider;
pub use provider::{Capability, ProbeState, ProbeStatus, Provider, ProviderInfo, Providers};
pub use remote::{RemoteConfig, RemoteProvider, parse_capabilities};
pub use session::{RefreshSlot, Session};

use crate::AppState;
use crate::domain::user::User;
use crate::error::AppError;
use std::sync::Arc;

/// Name of the cookie (and header) that selects the provider, as in Meshery.
pub const PROVIDER_COOKIE: &str = "meshery-provider";
/// Name of the cookie that carries the provider token, as in Meshery.
pub const TOKEN_COOKIE: &str = "token";

/// Who is calling, through which provider, with which token.
#[derive(Clone)]
pub struct RequestContext {
    pub provider: Arc<dyn Provider>,
    pub user: User,
    /// The access token as received (empty for the Local provider).
    pub token: Option<String>,
    /// The credentials for calls to the provider on the user's behalf (refreshed on 401).
    pub session: Session,
}

impl RequestContext {
    pub fn new(
        provider: Arc<dyn Provider>,
        user: User,
        token: Option<String>,
        session: Session,
    ) -> Self {
        Self {
            provider,
            user,
            token,
            session,
        }
    }

    /// When the session's token expires (Unix seconds); long-lived streams end then. Read
    /// from the token's `exp` only when asked (the provider verified the token already), so
    /// ordinary requests do not pay for decoding it.
    pub fn expires_at(&self) -> Option<i64> {
        self.provider.base_url()?;
        self.session
            .access()
            .as_deref()
            .and_then(credentials::token_expiry)
    }
}

impl std::fmt::Debug for RequestContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestContext")
            .field("provider", &self.provider.name())
            .field("user", &self.user.id)
            .finish_non_exhaustive()
    }
}

/// The provider a request names: cookie, then header, then `?provider=`, then the server's
/// default. `None` means the Local provider.
pub fn requested_provider_name(req: &poem::Request, default: &str) -> String {
    let from_cookie = req
        .header("cookie")
        .and_then(|c| cookie_value(c, PROVIDER_COOKIE));
    let from_header = || req.header(PROVIDER_COOKIE).map(str::to_string);
    let from_query = || {
        req.uri().query().and_then(|q| {
            q.split('&').find_map(|kv| {
                let (k, v) = kv.split_once('=')?;
                (k == "provider").then(|| percent_decode(v))
            })
        })
    };
    from_cookie
        .or_else(from_header)
        .or_else(from_query)
        .unwrap_or_else(|| default.to_string())
}

/// Authenticates a request: the one place credentials are checked.
pub async fn authenticate(
    state: &AppState,
    req: &poem::Request,
) -> Result<RequestContext, AppError> {
    let name = requested_provider_name(req, &state.config.provider);
    let provider = state
        .providers
        .get(&name)
        .ok_or_else(|| AppError::unknown_provider(&name))?;
    let token = bearer_or_cookie_token(req.header("authorization"), req.header("cookie"));
    let cookie = req
        .header("cookie")
        .and_then(|c| cookie_value(c, TOKEN_COOKIE));
    let slot = req
        .extensions()
        .get::<RefreshSlot>()
        .cloned()
        .unwrap_or_default();
    let session = Session::new(token.clone(), cookie, slot);
    match provider.authenticate(token.as_deref()).await {
        Ok(user) => Ok(RequestContext::new(provider, user, token, session)),
        // An expired access token in a cookie that carries a refresh token: refresh once.
        Err(e) if e.message == "token expired" && session.cookie().is_some() => {
            let access = session.refresh(provider.as_ref()).await.map_err(|_| e)?;
            let user = provider.authenticate(Some(&access)).await?;
            Ok(RequestContext::new(provider, user, Some(access), session))
        }
        Err(e) => Err(e),
    }
}

/// One cookie's value from a `Cookie` header.
pub fn cookie_value(header: &str, name: &str) -> Option<String> {
    header.split(';').find_map(|pair| {
        let (k, v) = pair.trim().split_once('=')?;
        (k == name).then(|| v.trim_matches('"').to_string())
    })
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                match u8::from_str_radix(
                    std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"),
                    16,
                ) {
                    Ok(b) => {
                        out.push(b);
                        i += 3;
                        continue;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_values_are_found() {
        assert_eq!(
            cookie_value("a=1; meshery-provider=Local; b=2", PROVIDER_COOKIE).as_deref(),
            Some("Local")
        );
        assert_eq!(cookie_value("a=1", PROVIDER_COOKIE), None);
    }

    #[test]
    fn percent_decoding_handles_truncation() {
        assert_eq!(percent_decode("Local%20x"), "Local x");
        assert_eq!(percent_decode("a%2"), "a%2");
        assert_eq!(percent_decode("%"), "%");
    }

    #[test]
    fn provider_resolution_order() {
        let req = poem::Request::builder()
            .uri(poem::http::Uri::from_static("/x?provider=Q"))
            .header("meshery-provider", "H")
            .header("cookie", "meshery-provider=C")
            .finish();
        assert_eq!(requested_provider_name(&req, "D"), "C");
        let req = poem::Request::builder()
            .uri(poem::http::Uri::from_static("/x?provider=Q"))
            .header("meshery-provider", "H")
            .finish();
        assert_eq!(requested_provider_name(&req, "D"), "H");
        let req = poem::Request::builder()
            .uri(poem::http::Uri::from_static("/x?provider=Q"))
            .finish();
        assert_eq!(requested_provider_name(&req, "D"), "Q");
        let req = poem::Request::builder()
            .uri(poem::http::Uri::from_static("/x"))
            .finish();
        assert_eq!(requested_provider_name(&req, "D"), "D");
    }
}
