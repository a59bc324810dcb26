//! The one error type. Every failure a client can see is an [`AppError`] carrying a stable
//! [`ErrorCode`] from the contract (`x-error-codes` in `openapi/openapi.yaml`); this file is the
//! only place that turns it into an HTTP response or a GraphQL error, so the body shape
//! `{error, code, severity, probableCause, suggestedRemediation}` cannot drift between routes.

use crate::generated::rest::ErrorCode;
use poem::http::StatusCode;
use poem::{IntoResponse, Response};
use poem_openapi::registry::{MetaResponses, Registry};
use serde::Serialize;

#[derive(Debug, Clone)]
pub struct AppError {
    pub code: ErrorCode,
    /// Safe to show to the client.
    pub message: String,
}

/// The wire form of an error.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody<'a> {
    pub error: &'a str,
    pub code: &'a str,
    pub severity: &'a str,
    pub probable_cause: &'a str,
    pub suggested_remediation: &'a str,
}

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidRequest, message)
    }
    pub fn unauthenticated(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotAuthenticated, message)
    }
    pub fn not_found(what: impl std::fmt::Display) -> Self {
        Self::new(ErrorCode::NotFound, format!("{what} not found"))
    }
    pub fn unknown_provider(name: &str) -> Self {
        Self::new(
            ErrorCode::UnknownProvider,
            format!("unknown provider `{name}`"),
        )
    }
    pub fn provider_unreachable(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::ProviderUnreachable, message)
    }
    /// An unexpected failure: logged in full, shown to the client without internals.
    pub fn internal(err: impl std::fmt::Display) -> Self {
        tracing::error!(error = %err, "internal error");
        Self::new(
            ErrorCode::InternalError,
            "internal error; see the server log",
        )
    }

    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    pub fn severity(&self) -> &'static str {
        if self.code.status() >= 500 {
            "CRITICAL"
        } else {
            "ERROR"
        }
    }

    pub fn body(&self) -> ErrorBody<'_> {
        ErrorBody {
            error: &self.message,
            code: self.code.code(),
            severity: self.severity(),
            probable_cause: self.code.title(),
            suggested_remediation: self.code.remediation(),
        }
    }

    pub fn to_response(&self) -> Response {
        let body = serde_json::to_string(&self.body()).unwrap_or_default();
        Response::builder()
            .status(self.status())
            .content_type("application/json; charset=utf-8")
            .body(body)
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code.code(), self.message)
    }
}

impl std::error::Error for AppError {}

impl poem::error::ResponseError for AppError {
    fn status(&self) -> StatusCode {
        AppError::status(self)
    }
    fn as_response(&self) -> Response {
        self.to_response()
    }
}

/// The documented error statuses live in each operation's response enum; this impl only lets
/// handlers return `Result<_, AppError>` through poem-openapi.
impl poem_openapi::ApiResponse for AppError {
    fn meta() -> MetaResponses {
        MetaResponses { responses: vec![] }
    }
    fn register(_registry: &mut Registry) {}
}

impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> Self {
        match err {
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
                tracing::error!(error = %err, "database unavailable");
                Self::new(
                    ErrorCode::DatabaseUnavailable,
                    "the database is unavailable",
                )
            }
            other => Self::internal(other),
        }
    }
}

impl AppError {
    /// The GraphQL form: the message, with the same code in `extensions.code`.
    pub fn gql(self) -> async_graphql::Error {
        use async_graphql::ErrorExtensions;
        async_graphql::Error::new(self.message.clone()).extend_with(|_, e| {
            e.set("code", self.code.code());
            e.set("status", self.code.status());
        })
    }
}

/// `?` in resolvers keeps the error code: `domain_call().await.gql()?`.
pub trait GqlResult<T> {
    fn gql(self) -> async_graphql::Result<T>;
}

impl<T> GqlResult<T> for Result<T, AppError> {
    fn gql(self) -> async_graphql::Result<T> {
        self.map_err(AppError::gql)
    }
}

/// Maps any error poem or poem-openapi raised (path not found, a parameter that failed
/// validation, a body that is too large, …) onto the one error format.
pub fn any_error_to_response(err: poem::Error) -> Response {
    if let Some(app) = err.downcast_ref::<AppError>() {
        return app.to_response();
    }
    let status = err.status();
    // poem-openapi names path parameters by position internally (`param0`); say what it is.
    if let Some(p) = err.downcast_ref::<poem_openapi::error::ParseParamError>()
        && p.name
            .strip_prefix("param")
            .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()))
    {
        return AppError::invalid(format!("invalid path parameter: {}", p.reason)).to_response();
    }
    let code = match status.as_u16() {
        400 | 415 | 422 => ErrorCode::InvalidRequest,
        401 => ErrorCode::NotAuthenticated,
        404 => ErrorCode::NotFound,
        405 => ErrorCode::MethodNotAllowed,
        413 => ErrorCode::PayloadTooLarge,
        503 => ErrorCode::DatabaseUnavailable,
        _ => ErrorCode::InternalError,
    };
    let message = match code {
        ErrorCode::NotFound => "no such route".to_string(),
        ErrorCode::InternalError => {
            tracing::error!(error = %err, %status, "unmapped error");
            "internal error; see the server log".to_string()
        }
        _ => err.to_string(),
    };
    let mut resp = AppError::new(code, message).to_response();
    // Keep poem's status for client errors our table knows (404, 405, 413, 431); a body of
    // the wrong media type (415) or shape (422) is "invalid request", 400, as the contract says.
    if status.is_client_error() && !matches!(status.as_u16(), 415 | 422) {
        resp.set_status(status);
    }
    resp.into_response()
}
