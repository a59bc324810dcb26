//! [`Caller`]: what a public operation may know about its caller without authenticating them
//! (contract operations marked `x-caller: true`): the provider the request selects, the raw
//! `token` cookie, and how the browser reached us (for callback URLs and the `Secure` flag).

use crate::AppState;
use poem::{FromRequest, Request, RequestBody};
use std::sync::Arc;

#[derive(Clone, Debug)]
pub struct Caller {
    /// Provider named by cookie, header or `?provider=`, else the server default.
    pub provider_name: String,
    /// The `token` cookie exactly as sent (base64 OAuth2 JSON or a raw JWT).
    pub token_cookie: Option<String>,
    /// `Host` as the browser sent it.
    pub host: String,
    /// The browser reached us over TLS (directly or through a proxy that says so).
    pub secure: bool,
}

impl Caller {
    /// Where a remote provider should send the browser after login.
    pub fn callback_url(&self, configured: Option<&str>) -> String {
        match configured {
            Some(url) => url.to_string(),
            None => format!(
                "{}://{}/api/user/token",
                if self.secure { "https" } else { "http" },
                self.host
            ),
        }
    }
}

impl<'a> FromRequest<'a> for Caller {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        let default = req
            .data::<Arc<AppState>>()
            .map(|s| s.config.provider.clone())
            .unwrap_or_default();
        let forwarded_https = req
            .header("x-forwarded-proto")
            .is_some_and(|p| p.eq_ignore_ascii_case("https"));
        Ok(Caller {
            provider_name: super::requested_provider_name(req, &default),
            token_cookie: req
                .header("cookie")
                .and_then(|c| super::cookie_value(c, super::TOKEN_COOKIE)),
            host: req.header("host").unwrap_or("localhost:9081").to_string(),
            secure: req.uri().scheme_str() == Some("https") || forwarded_https,
        })
    }
}
