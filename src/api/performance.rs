//! `Performance` tag: performance profiles, at Meshery's original `/api/user/performance/…`
//! paths and its current `/api/performance/…` ones (the same handlers behind both).

use super::Handlers;
use crate::auth::Authenticated;
use crate::domain::profiles as domain;
use crate::error::AppError;
use crate::generated::rest::*;
use poem_openapi::payload::Json;

fn generator(name: &str) -> LoadGenerator {
    match name {
        "wrk2" => LoadGenerator::Wrk2,
        "nighthawk" => LoadGenerator::Nighthawk,
        _ => LoadGenerator::Fortio,
    }
}

fn to_model(p: domain::Profile) -> PerformanceProfile {
    let s = p.settings;
    PerformanceProfile {
        id: p.id.parse().unwrap_or_default(),
        name: p.name,
        user_id: p.user_id,
        endpoints: s.endpoints,
        load_generators: s.load_generators.iter().map(|g| generator(g)).collect(),
        concurrent_request: s.concurrent_request,
        qps: s.qps,
        duration: s.duration,
        service_mesh: s.service_mesh,
        request_headers: s.request_headers,
        request_cookies: s.request_cookies,
        request_body: s.request_body,
        content_type: s.content_type,
        metadata: s.metadata.into_iter().collect(),
        // Runs and their results are not served yet (issue 4): no profile has any.
        total_results: 0,
        last_run: None,
        created_at: p.created_at,
        updated_at: p.updated_at,
    }
}

impl Handlers {
    async fn profile_page(
        &self,
        auth: &Authenticated,
        page: i64,
        pagesize: i64,
        search: Option<String>,
        order: Option<SortOrder>,
    ) -> Result<PerformanceProfilePage, AppError> {
        let asc = order == Some(SortOrder::Asc);
        let p = domain::list(
            &self.0,
            &auth.0.user,
            page,
            pagesize,
            search.as_deref(),
            asc,
        )
        .await?;
        Ok(PerformanceProfilePage {
            page: p.page,
            page_size: p.page_size,
            total_count: p.total_count,
            profiles: p.profiles.into_iter().map(to_model).collect(),
        })
    }

    async fn save_profile(
        &self,
        auth: &Authenticated,
        b: PerformanceProfileInput,
    ) -> Result<PerformanceProfile, AppError> {
        let new = domain::NewProfile {
            id: b.id.map(|u| u.to_string()),
            name: b.name,
            settings: domain::Settings {
                endpoints: b.endpoints,
                load_generators: b
                    .load_generators
                    .unwrap_or_else(|| vec![LoadGenerator::Fortio])
                    .into_iter()
                    .map(|g| g.as_str().to_string())
                    .collect(),
                concurrent_request: b.concurrent_request.unwrap_or(1),
                qps: b.qps.unwrap_or(0),
                duration: b.duration,
                service_mesh: b.service_mesh.unwrap_or_default(),
                request_headers: b.request_headers.unwrap_or_default(),
                request_cookies: b.request_cookies.unwrap_or_default(),
                request_body: b.request_body.unwrap_or_default(),
                content_type: b.content_type.unwrap_or_default(),
                metadata: b.metadata.unwrap_or_default().into_iter().collect(),
            },
        };
        Ok(to_model(domain::save(&self.0, &auth.0.user, new).await?))
    }
}

impl PerformanceApi for Handlers {
    async fn get_user_performance_profiles(
        &self,
        auth: Authenticated,
        page: i64,
        pagesize: i64,
        search: Option<String>,
        order: Option<SortOrder>,
    ) -> Result<GetUserPerformanceProfilesResponse, AppError> {
        let p = self
            .profile_page(&auth, page, pagesize, search, order)
            .await?;
        Ok(GetUserPerformanceProfilesResponse::Ok(Json(p)))
    }

    async fn get_performance_profiles(
        &self,
        auth: Authenticated,
        page: i64,
        pagesize: i64,
        search: Option<String>,
        order: Option<SortOrder>,
    ) -> Result<GetPerformanceProfilesResponse, AppError> {
        let p = self
            .profile_page(&auth, page, pagesize, search, order)
            .await?;
        Ok(GetPerformanceProfilesResponse::Ok(Json(p)))
    }

    async fn save_user_performance_profile(
        &self,
        auth: Authenticated,
        body: PerformanceProfileInput,
    ) -> Result<SaveUserPerformanceProfileResponse, AppError> {
        Ok(SaveUserPerformanceProfileResponse::Ok(Json(
            self.save_profile(&auth, body).await?,
        )))
    }

    async fn upsert_performance_profile(
        &self,
        auth: Authenticated,
        body: PerformanceProfileInput,
    ) -> Result<UpsertPerformanceProfileResponse, AppError> {
        Ok(UpsertPerformanceProfileResponse::Ok(Json(
            self.save_profile(&auth, body).await?,
        )))
    }

    async fn get_user_performance_profile(
        &self,
        auth: Authenticated,
        id: uuid::Uuid,
    ) -> Result<GetUserPerformanceProfileResponse, AppError> {
        let p = domain::get(&self.0, &auth.0.user, &id.to_string()).await?;
        Ok(GetUserPerformanceProfileResponse::Ok(Json(to_model(p))))
    }

    async fn get_performance_profile(
        &self,
        auth: Authenticated,
        id: uuid::Uuid,
    ) -> Result<GetPerformanceProfileResponse, AppError> {
        let p = domain::get(&self.0, &auth.0.user, &id.to_string()).await?;
        Ok(GetPerformanceProfileResponse::Ok(Json(to_model(p))))
    }

    async fn delete_user_performance_profile(
        &self,
        auth: Authenticated,
        id: uuid::Uuid,
    ) -> Result<DeleteUserPerformanceProfileResponse, AppError> {
        domain::delete(&self.0, &auth.0.user, &id.to_string()).await?;
        Ok(DeleteUserPerformanceProfileResponse::Ok(Json(Deleted {
            id,
        })))
    }

    async fn delete_performance_profile(
        &self,
        auth: Authenticated,
        id: uuid::Uuid,
    ) -> Result<DeletePerformanceProfileResponse, AppError> {
        domain::delete(&self.0, &auth.0.user, &id.to_string()).await?;
        Ok(DeletePerformanceProfileResponse::Ok(Json(Deleted { id })))
    }
}
