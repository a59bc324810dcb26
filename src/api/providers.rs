//! `Providers` tag: the provider list (answered at once from what the probes know), a live
//! stream of probe results, selecting a provider, and the selected one's capabilities.

use super::Handlers;
use crate::auth::{Authenticated, Caller, ProbeState, Provider, ProviderInfo};
use crate::error::AppError;
use crate::generated::rest::*;
use futures::StreamExt;
use poem_openapi::payload::{EventStream, Json};
use std::sync::Arc;

fn state(s: ProbeState) -> ProviderState {
    match s {
        ProbeState::Checking => ProviderState::Checking,
        ProbeState::Online => ProviderState::Online,
        ProbeState::Offline => ProviderState::Offline,
    }
}

pub(crate) fn properties(info: ProviderInfo, status: ProbeState) -> ProviderProperties {
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
        status: Some(state(status)),
        restricted_access: info.restricted_access.map(|m| m.into_iter().collect()),
    }
}

fn describe(p: &Arc<dyn Provider>) -> ProviderProperties {
    properties(p.info(), p.status().state)
}

fn status_event(p: &Arc<dyn Provider>) -> ProviderStatus {
    let s = p.status();
    ProviderStatus {
        name: p.name().to_string(),
        status: state(s.state),
        properties: describe(p),
        error: s.error,
    }
}

impl ProvidersApi for Handlers {
    async fn get_providers(&self) -> Result<GetProvidersResponse, AppError> {
        let map = self
            .providers
            .all()
            .map(|p| (p.name().to_string(), describe(p)))
            .collect();
        Ok(GetProvidersResponse::Ok(Json(map)))
    }

    async fn stream_providers(&self) -> Result<StreamProvidersResponse, AppError> {
        // Subscribe before probing so no result is missed; then probe, as Meshery does.
        let updates = tokio_stream::wrappers::BroadcastStream::new(self.providers.updates());
        let current: Vec<ProviderStatus> = self.providers.all().map(status_event).collect();
        self.providers.probe_all();
        let state = self.0.clone();
        let later = updates.filter_map(move |name| {
            let found = name
                .ok()
                .and_then(|n| state.providers.get(&n))
                .map(|p| status_event(&p));
            async move { found }
        });
        let guard = self.metrics.sse_opened();
        let stream = futures::stream::iter(current)
            .chain(later)
            .map(move |e| {
                let _keep = &guard;
                e
            })
            .take_until(self.0.shutdown_signal())
            .boxed();
        let keepalive = std::time::Duration::from_secs(self.config.sse_keepalive_secs);
        let events = EventStream::new(stream)
            .keep_alive(keepalive)
            .to_event(|e| {
                let data = serde_json::to_string(&poem_openapi::types::ToJSON::to_json(&e))
                    .unwrap_or_default();
                poem::web::sse::Event::message(data).event_type("provider")
            });
        Ok(StreamProvidersResponse::Ok(events))
    }

    async fn select_provider(
        &self,
        caller: Caller,
        provider: String,
    ) -> Result<SelectProviderResponse, AppError> {
        let p = self.providers.get(&provider).ok_or_else(|| {
            AppError::new(
                ErrorCode::NotFound,
                format!("unknown provider `{provider}`; GET /api/providers lists them"),
            )
        })?;
        // HttpOnly so scripts cannot read it, SameSite=Lax so other sites cannot set it for us.
        let secure = if caller.secure { "; Secure" } else { "" };
        let cookie = format!(
            "{}={}; Path=/; HttpOnly; SameSite=Lax{secure}",
            crate::auth::PROVIDER_COOKIE,
            p.name()
        );
        Ok(SelectProviderResponse::Ok(Json(describe(&p)), cookie))
    }

    async fn get_provider_capabilities(
        &self,
        auth: Authenticated,
    ) -> Result<GetProviderCapabilitiesResponse, AppError> {
        // As the provider describes itself to this user (loaded at login), as Meshery does.
        let p = &auth.0.provider;
        Ok(GetProviderCapabilitiesResponse::Ok(Json(properties(
            p.info_for(&auth.0.user.id),
            p.status().state,
        ))))
    }
}
