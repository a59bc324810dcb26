//! `User` tag: the signed-in user, their preferences, and the token file.

use super::Handlers;
use crate::auth::Authenticated;
use crate::domain::prefs;
use crate::error::AppError;
use crate::generated::rest::*;
use poem_openapi::payload::Json;

fn to_model(p: prefs::Preference) -> Preference {
    Preference {
        anonymous_usage_stats: p.anonymous_usage_stats,
        anonymous_perf_results: p.anonymous_perf_results,
        selected_k8s_contexts: p.selected_k8s_contexts,
        load_test_prefs: LoadTestPreferences {
            c: p.load_test_prefs.c,
            qps: p.load_test_prefs.qps,
            t: p.load_test_prefs.t,
            r#gen: match p.load_test_prefs.generator.as_str() {
                "wrk2" => LoadGenerator::Wrk2,
                "nighthawk" => LoadGenerator::Nighthawk,
                _ => LoadGenerator::Fortio,
            },
        },
        updated_at: p.updated_at,
    }
}

impl UserApi for Handlers {
    async fn get_user(&self, auth: Authenticated) -> Result<GetUserResponse, AppError> {
        let u = auth.0.user;
        Ok(GetUserResponse::Ok(Json(User {
            id: u.id,
            user_id: u.user_id,
            first_name: u.first_name,
            last_name: u.last_name,
            email: u.email,
            avatar_url: u.avatar_url,
            provider: u.provider,
        })))
    }

    async fn get_user_prefs(&self, auth: Authenticated) -> Result<GetUserPrefsResponse, AppError> {
        let p = prefs::get(&self.0, &auth.0).await?;
        Ok(GetUserPrefsResponse::Ok(Json(to_model(p))))
    }

    async fn update_user_prefs(
        &self,
        auth: Authenticated,
        body: PreferenceUpdate,
    ) -> Result<UpdateUserPrefsResponse, AppError> {
        let update = prefs::PreferenceUpdate {
            anonymous_usage_stats: body.anonymous_usage_stats,
            anonymous_perf_results: body.anonymous_perf_results,
            selected_k8s_contexts: body.selected_k8s_contexts,
            load_test_prefs: body.load_test_prefs.map(|l| prefs::LoadTestPrefs {
                c: l.c,
                qps: l.qps,
                t: l.t,
                generator: l.r#gen.as_str().to_string(),
            }),
        };
        let p = prefs::update(&self.0, &auth.0, update).await?;
        Ok(UpdateUserPrefsResponse::Ok(Json(to_model(p))))
    }

    /// As Meshery: the `token` cookie's value (the provider's OAuth2 token document, which
    /// carries the refresh token), or the bearer token when the request came with one.
    async fn get_token(&self, auth: Authenticated) -> Result<GetTokenResponse, AppError> {
        let ctx = auth.0;
        let token = match ctx.session.cookie() {
            Some(cookie)
                if ctx.provider.base_url().is_some()
                    && crate::auth::token_from_cookie_value(cookie) == ctx.token =>
            {
                cookie.to_string()
            }
            _ => ctx.token.unwrap_or_default(),
        };
        Ok(GetTokenResponse::Ok(Json(TokenFile {
            meshery_provider: ctx.provider.name().to_string(),
            token,
        })))
    }
}
