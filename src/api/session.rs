//! `Session` tag: Meshery's login protocol with remote providers, with the holes closed: the
//! callback verifies the token before it sets the cookie, `ref` is only followed to a path on
//! this server, cookies are HttpOnly and SameSite=Lax (and Secure behind TLS).

use super::Handlers;
use crate::auth::{Caller, Provider, redirect::safe_return_path};
use crate::error::AppError;
use crate::generated::rest::*;
use std::sync::Arc;

fn token_cookie(value: &str, secure: bool, max_age: Option<i64>) -> String {
    let mut c = format!(
        "{}={value}; Path=/; HttpOnly; SameSite=Lax",
        crate::auth::TOKEN_COOKIE
    );
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        c.push_str("; Secure");
    }
    c
}

/// A cookie value must not carry separators a browser would split on.
fn cookie_safe(v: &str) -> bool {
    v.bytes()
        .all(|b| b.is_ascii_graphic() && !matches!(b, b';' | b',' | b'"' | b'\\'))
}

fn return_path(r#ref: Option<&str>) -> String {
    r#ref
        .and_then(safe_return_path)
        .unwrap_or_else(|| "/".into())
}

impl Handlers {
    /// The provider a session operation is about: a lookup, so an unknown name is a 404.
    fn session_provider(&self, name: &str) -> Result<Arc<dyn Provider>, AppError> {
        self.providers.get(name).ok_or_else(|| {
            AppError::new(
                ErrorCode::NotFound,
                format!("unknown provider `{name}`; GET /api/providers lists them"),
            )
        })
    }
}

impl SessionApi for Handlers {
    async fn login(
        &self,
        caller: Caller,
        provider: Option<String>,
        r#ref: Option<String>,
    ) -> Result<LoginResponse, AppError> {
        let p = self.session_provider(provider.as_deref().unwrap_or(&caller.provider_name))?;
        let back = return_path(r#ref.as_deref());
        let callback = caller.callback_url(self.config.callback_url.as_deref());
        Ok(LoginResponse::Found(
            p.login_url(&callback, &back).unwrap_or(back),
        ))
    }

    async fn login_callback(
        &self,
        caller: Caller,
        token: String,
        r#ref: Option<String>,
    ) -> Result<LoginCallbackResponse, AppError> {
        let p = self
            .providers
            .get(&caller.provider_name)
            .ok_or_else(|| AppError::unknown_provider(&caller.provider_name))?;
        let back = return_path(r#ref.as_deref());
        if p.base_url().is_none() {
            // The Local provider has no session: nothing to verify, nothing to keep.
            return Ok(LoginCallbackResponse::Found(
                back,
                token_cookie("", caller.secure, Some(0)),
            ));
        }
        if !cookie_safe(&token) {
            return Err(AppError::invalid(
                "token contains characters a cookie cannot hold",
            ));
        }
        let access = crate::auth::token_from_cookie_value(&token).unwrap_or_default();
        p.authenticate(Some(&access)).await?;
        // As Meshery does, load the capabilities again as this user, without delaying the login.
        let provider = p.clone();
        tokio::spawn(async move { provider.probe_as(Some(&access)).await });
        Ok(LoginCallbackResponse::Found(
            back,
            token_cookie(&token, caller.secure, None),
        ))
    }

    async fn logout(&self, caller: Caller) -> Result<LogoutResponse, AppError> {
        let p = self
            .providers
            .get(&caller.provider_name)
            .ok_or_else(|| AppError::unknown_provider(&caller.provider_name))?;
        p.logout(caller.token_cookie.as_deref()).await;
        Ok(LogoutResponse::Found(
            "/".into(),
            token_cookie("", caller.secure, Some(0)),
        ))
    }
}
