//! [`Authenticated`]: the security parameter of every operation that declares security.
//!
//! It registers the contract's two schemes (`bearerAuth`, `cookieAuth`) and, unlike a derived
//! poem-openapi `SecurityScheme`, lets the provider decide: the Local provider needs no token
//! at all, a remote provider needs a valid one. A failure is the one error type (401 JSON, or
//! 400 for an unknown provider).

use super::RequestContext;
use crate::AppState;
use crate::error::AppError;
use poem::{Request, RequestBody};
use poem_openapi::registry::{MetaSecurityScheme, Registry};
use poem_openapi::{ApiExtractor, ApiExtractorType, ExtractParamOptions};
use std::sync::Arc;

pub struct Authenticated(pub RequestContext);

impl<'a> ApiExtractor<'a> for Authenticated {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::SecurityScheme];
    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        registry.create_security_scheme(
            "bearerAuth",
            MetaSecurityScheme {
                ty: "http",
                description: Some(
                    "An access token (RS256 JWT) issued by the selected remote provider.",
                ),
                name: None,
                key_in: None,
                scheme: Some("bearer"),
                bearer_format: Some("JWT"),
                flows: None,
                openid_connect_url: None,
            },
        );
        registry.create_security_scheme(
            "cookieAuth",
            MetaSecurityScheme {
                ty: "apiKey",
                description: Some("The `token` cookie set at login."),
                name: Some(super::TOKEN_COOKIE),
                key_in: Some("cookie"),
                scheme: None,
                bearer_format: None,
                flows: None,
                openid_connect_url: None,
            },
        );
    }

    fn security_schemes() -> Vec<&'static str> {
        vec!["bearerAuth", "cookieAuth"]
    }

    async fn from_request(
        req: &'a Request,
        _body: &mut RequestBody,
        _param_opts: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        let state = req
            .data::<Arc<AppState>>()
            .ok_or_else(|| poem::Error::from(AppError::internal("application state missing")))?;
        match super::authenticate(state, req).await {
            Ok(ctx) => Ok(Authenticated(ctx)),
            Err(e) => Err(e.into()),
        }
    }
}
