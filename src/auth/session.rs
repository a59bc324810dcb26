//! [`Session`]: the credentials of one request, and the refresh protocol around them.
//!
//! When the provider answers a call made with the user's token with 401 (or the access token
//! has expired), the session is refreshed once through `{base}/refresh` with the `token` cookie,
//! the call is retried with the new access token, and the new cookie value is written back to
//! the browser on the way out (see [`RefreshSlot`] and the middleware in `server.rs`).

use super::provider::Provider;
use crate::error::AppError;
use std::sync::{Arc, Mutex};

/// Carries a refreshed `token` cookie value from deep inside a request to the response.
#[derive(Clone, Default)]
pub struct RefreshSlot(pub Arc<Mutex<Option<String>>>);

impl RefreshSlot {
    pub fn take(&self) -> Option<String> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).take()
    }
}

#[derive(Clone, Default)]
pub struct Session {
    access: Option<String>,
    cookie: Option<String>,
    slot: RefreshSlot,
}

impl Session {
    pub fn new(access: Option<String>, cookie: Option<String>, slot: RefreshSlot) -> Self {
        Self {
            access,
            cookie,
            slot,
        }
    }

    /// The access token to send now (the refreshed one after a refresh).
    pub fn access(&self) -> Option<String> {
        let refreshed = self
            .slot
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        refreshed
            .and_then(|c| super::token_from_cookie_value(&c))
            .or_else(|| self.access.clone())
    }

    /// The `token` cookie the session started with, if it came as a cookie.
    pub fn cookie(&self) -> Option<&str> {
        self.cookie.as_deref()
    }

    /// Exchanges the session's refresh token for a new one, once; returns the new access token.
    pub async fn refresh(&self, provider: &dyn Provider) -> Result<String, AppError> {
        let cookie = self
            .cookie
            .as_deref()
            .filter(|c| super::refresh_token_from_cookie_value(c).is_some())
            .ok_or_else(|| {
                AppError::unauthenticated(
                    "session expired and it has no refresh token; log in again",
                )
            })?;
        let new_cookie = provider.refresh(cookie).await?;
        let access = super::token_from_cookie_value(&new_cookie).ok_or_else(|| {
            AppError::unauthenticated("the provider's refreshed token is unreadable")
        })?;
        *self.slot.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(new_cookie);
        Ok(access)
    }

    /// Sends a request built for the current access token; on 401, refreshes once and resends.
    pub async fn send(
        &self,
        provider: &dyn Provider,
        build: impl Fn(&str) -> reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, reqwest::Error> {
        let first = build(&self.access().unwrap_or_default()).send().await?;
        if first.status() != reqwest::StatusCode::UNAUTHORIZED {
            return Ok(first);
        }
        match self.refresh(provider).await {
            Ok(access) => build(&access).send().await,
            Err(_) => Ok(first),
        }
    }
}
