//! `Providers` tag: the provider list, selecting one, and the selected one's capabilities.

use super::Handlers;
use crate::auth::{Authenticated, ProviderInfo};
use crate::error::AppError;
use crate::generated::rest::*;
use poem_openapi::payload::Json;

pub(crate) fn properties(info: ProviderInfo) -> ProviderProperties {
    ProviderProperties {
        provider_type: if info.provider_type == "local" {
            ProviderType::Local
        } else {
            ProviderType::Remote
        },
        package_version: info.package_version,
        package_url: info.package_url,
        provider_name: info.provider_name,
        provider_description: info.provider_description,
        provider_url: info.provider_url,
        extensions: Some(info.extensions.into_iter().collect()),
        capabilities: info
            .capabilities
            .into_iter()
            .map(|c| Capability {
                feature: c.feature,
                endpoint: c.endpoint,
            })
            .collect(),
        restricted_access: info.restricted_access.map(|m| m.into_iter().collect()),
    }
}

impl ProvidersApi for Handlers {
    async fn get_providers(&self) -> Result<GetProvidersResponse, AppError> {
        let map = self
            .providers
            .all()
            .map(|p| (p.name().to_string(), properties(p.info())))
            .collect();
        Ok(GetProvidersResponse::Ok(Json(map)))
    }

    async fn select_provider(&self, provider: String) -> Result<SelectProviderResponse, AppError> {
        let p = self.providers.get(&provider).ok_or_else(|| {
            AppError::new(
                ErrorCode::NotFound,
                format!("unknown provider `{provider}`; GET /api/providers lists them"),
            )
        })?;
        // HttpOnly so scripts cannot read it, SameSite=Lax so other sites cannot set it for us.
        let cookie = format!(
            "{}={}; Path=/; HttpOnly; SameSite=Lax",
            crate::auth::PROVIDER_COOKIE,
            p.name()
        );
        Ok(SelectProviderResponse::Ok(
            Json(properties(p.info())),
            cookie,
        ))
    }

    async fn get_provider_capabilities(
        &self,
        auth: Authenticated,
    ) -> Result<GetProviderCapabilitiesResponse, AppError> {
        Ok(GetProviderCapabilitiesResponse::Ok(Json(properties(
            auth.0.provider.info(),
        ))))
    }
}
