//! `Extensions` tag. The `/api/extensions/*` proxy itself is not a contract operation (OpenAPI
//! cannot express a path prefix); it lives in `crate::auth::extensions`.

use super::Handlers;
use crate::auth::Authenticated;
use crate::error::AppError;
use crate::generated::rest::*;
use poem_openapi::payload::Json;

impl ExtensionsApi for Handlers {
    async fn get_extension_version(
        &self,
        auth: Authenticated,
    ) -> Result<GetExtensionVersionResponse, AppError> {
        let p = auth.0.provider;
        if p.base_url().is_none() {
            return Err(AppError::new(
                ErrorCode::NotFound,
                "extension not available for current provider (Local)",
            ));
        }
        if p.status().state != crate::auth::ProbeState::Online {
            return Err(AppError::provider_unreachable(format!(
                "provider `{}` has not answered its capabilities probe",
                p.name()
            )));
        }
        Ok(GetExtensionVersionResponse::Ok(Json(ExtensionVersion {
            version: p.info().package_version,
        })))
    }
}
