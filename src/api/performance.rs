//! `Performance` tag: profiles, runs (SSE), results, stored SMP test configurations and the
//! mesh list, at Meshery's original `/api/user/performance/…` and `/api/perf/…` paths and its
//! current `/api/performance/…` ones (the same handlers behind both). Model conversions are in
//! `perf_models`; rules in `crate::domain::{profiles, runs, results, test_configs}`.

use super::Handlers;
use super::perf_models::{result_model, run_stream, test_config_model};
use crate::auth::Authenticated;
use crate::domain::profiles as domain;
use crate::domain::{results, runs, test_configs};
use crate::error::AppError;
use crate::generated::rest::*;
use poem_openapi::payload::{EventStream, Json};
use poem_openapi::types::ToJSON;

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
        total_results: p.total_results,
        last_run: p.last_run,
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
        let f = domain::Filter {
            page,
            page_size: pagesize,
            search,
            ascending: order == Some(SortOrder::Asc),
            updated_after: None,
        };
        let p = domain::list(&self.0, &auth.0.user, f).await?;
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

/// Page, filter and order of a result list, as every result operation takes them.
struct ResultSelection {
    page: i64,
    pagesize: i64,
    search: Option<String>,
    order: Option<SortOrder>,
    from: Option<chrono::DateTime<chrono::Utc>>,
    to: Option<chrono::DateTime<chrono::Utc>>,
}

impl Handlers {
    async fn result_page(
        &self,
        auth: &Authenticated,
        profile: Option<uuid::Uuid>,
        s: ResultSelection,
    ) -> Result<PerformanceResultPage, AppError> {
        let f = results::Filter {
            profile_id: profile.map(|p| p.to_string()),
            page: s.page,
            page_size: s.pagesize,
            search: s.search,
            ascending: s.order == Some(SortOrder::Asc),
            from: s.from,
            to: s.to,
            updated_after: None,
        };
        let p = results::list(&self.0, &auth.0.user, f).await?;
        Ok(PerformanceResultPage {
            page: p.page,
            page_size: p.page_size,
            total_count: p.total_count,
            results: p
                .results
                .iter()
                .map(result_model)
                .collect::<Result<_, _>>()?,
        })
    }
}

/// A result-list operation: of one profile when the path has `id`, else of all results.
macro_rules! result_list {
    ($name:ident, $resp:ident $(, $id:ident)?) => {
        async fn $name(
            &self,
            auth: Authenticated,
            $($id: uuid::Uuid,)?
            page: i64,
            pagesize: i64,
            search: Option<String>,
            order: Option<SortOrder>,
            from: Option<chrono::DateTime<chrono::Utc>>,
            to: Option<chrono::DateTime<chrono::Utc>>,
        ) -> Result<$resp, AppError> {
            let profile: Option<uuid::Uuid> = None $(.or(Some($id)))?;
            let s = ResultSelection {
                page,
                pagesize,
                search,
                order,
                from,
                to,
            };
            Ok($resp::Ok(Json(self.result_page(&auth, profile, s).await?)))
        }
    };
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

    // Meshery serves the same lists at several paths: one body each, different names.
    result_list!(
        get_user_performance_profile_results,
        GetUserPerformanceProfileResultsResponse,
        id
    );
    result_list!(
        get_performance_profile_results,
        GetPerformanceProfileResultsResponse,
        id
    );
    result_list!(get_perf_results, GetPerfResultsResponse);
    result_list!(
        get_user_performance_results,
        GetUserPerformanceResultsResponse
    );
    result_list!(get_performance_results, GetPerformanceResultsResponse);

    async fn get_perf_result(
        &self,
        auth: Authenticated,
        id: uuid::Uuid,
    ) -> Result<GetPerfResultResponse, AppError> {
        let r = results::get(&self.0, &auth.0.user, &id.to_string()).await?;
        Ok(GetPerfResultResponse::Ok(Json(result_model(&r)?)))
    }

    async fn run_performance_profile(
        &self,
        auth: Authenticated,
        id: uuid::Uuid,
        name: String,
        url: Option<String>,
        qps: Option<f64>,
        c: Option<i32>,
        t: Option<i64>,
        dur: Option<DurationUnit>,
        load_generator: Option<TestLoadGenerator>,
        mesh: Option<String>,
        uuid: Option<String>,
        headers: Option<String>,
        cookies: Option<String>,
        req_body: Option<String>,
        content_type: Option<String>,
    ) -> Result<RunPerformanceProfileResponse, AppError> {
        let profile = domain::get(&self.0, &auth.0.user, &id.to_string()).await?;
        let unit = match dur {
            Some(DurationUnit::H) => 3600,
            Some(DurationUnit::M) => 60,
            Some(DurationUnit::S) | None => 1,
        };
        let duration = t.map(|t| {
            std::time::Duration::from_secs(u64::try_from(t).unwrap_or(0).saturating_mul(unit))
        });
        let overrides = runs::Overrides {
            name,
            url,
            qps,
            connections: c.map(i64::from),
            duration,
            load_generator: load_generator.map(|g| g.as_str().to_string()),
            mesh,
            test_id: uuid,
            headers,
            cookies,
            body: req_body,
            content_type,
        };
        let mut req = runs::request_for_profile(&profile, overrides)?;
        req.publish = Some(runs::Publisher::of(&auth.0));
        let handle = runs::start(self.0.clone(), auth.0.user.clone(), req)?;
        Ok(RunPerformanceProfileResponse::Ok(EventStream::new(
            run_stream(&self.0, handle),
        )))
    }

    async fn run_perf_test(
        &self,
        auth: Authenticated,
        body: SmpTestConfig,
    ) -> Result<RunPerfTestResponse, AppError> {
        let test = body.test;
        let client = test
            .clients
            .into_iter()
            .next()
            .ok_or_else(|| AppError::invalid("test.clients must not be empty"))?;
        let url =
            client.endpoint_urls.into_iter().next().ok_or_else(|| {
                AppError::invalid("test.clients[0].endpoint_urls must not be empty")
            })?;
        let profile_id = match test.id {
            // Results join a profile only if it is one of the user's.
            Some(id) => Some(
                domain::get(&self.0, &auth.0.user, &id.to_string())
                    .await?
                    .id,
            ),
            None => None,
        };
        let smp = runs::SmpTest {
            profile_id,
            name: test.name,
            duration: test.duration,
            url,
            connections: client.connections.map(i64::from),
            rps: client.rps,
            headers: client.headers.unwrap_or_default().into_iter().collect(),
            cookies: client.cookies.unwrap_or_default().into_iter().collect(),
            body: client.body,
            content_type: client.content_type,
            load_generator: client.load_generator.map(|g| g.as_str().to_string()),
            protocol: client.protocol,
            mesh: body.mesh.and_then(|m| m.r#type).unwrap_or_default(),
        };
        let mut req = runs::request_from_smp(smp)?;
        req.publish = Some(runs::Publisher::of(&auth.0));
        let handle = runs::start(self.0.clone(), auth.0.user.clone(), req)?;
        Ok(RunPerfTestResponse::Ok(EventStream::new(run_stream(
            &self.0, handle,
        ))))
    }

    async fn get_perf_test_configs(
        &self,
        auth: Authenticated,
        uuid: Option<uuid::Uuid>,
        page: i64,
        pagesize: i64,
    ) -> Result<GetPerfTestConfigsResponse, AppError> {
        let user = &auth.0.user;
        let page = match uuid {
            Some(id) => {
                let one = test_configs::get(&self.0, user, &id.to_string()).await?;
                test_configs::Page {
                    page: 0,
                    page_size: 1,
                    total_count: 1,
                    configs: vec![one],
                }
            }
            None => test_configs::list(&self.0, user, page, pagesize).await?,
        };
        Ok(GetPerfTestConfigsResponse::Ok(Json(PerfTestConfigPage {
            page: page.page,
            page_size: page.page_size,
            total_count: page.total_count,
            test_configs: page
                .configs
                .into_iter()
                .map(|c| test_config_model(c.data))
                .collect::<Result<_, _>>()?,
        })))
    }

    async fn save_perf_test_config(
        &self,
        auth: Authenticated,
        body: PerformanceTestConfig,
    ) -> Result<SavePerfTestConfigResponse, AppError> {
        let saved =
            test_configs::save(&self.0, &auth.0.user, body.to_json().unwrap_or_default()).await?;
        Ok(SavePerfTestConfigResponse::Ok(Json(test_config_model(
            saved.data,
        )?)))
    }

    async fn delete_perf_test_config(
        &self,
        auth: Authenticated,
        uuid: uuid::Uuid,
    ) -> Result<DeletePerfTestConfigResponse, AppError> {
        test_configs::delete(&self.0, &auth.0.user, &uuid.to_string()).await?;
        Ok(DeletePerfTestConfigResponse::Ok(Json(Deleted { id: uuid })))
    }

    async fn get_meshes(&self, _auth: Authenticated) -> Result<GetMeshesResponse, AppError> {
        Ok(GetMeshesResponse::Ok(Json(MeshList {
            meshes: runs::MESHES.iter().map(|m| m.to_string()).collect(),
        })))
    }
}
