//! Resolver bodies for the user, preferences, providers and events areas. Each method gets
//! the request context explicitly (built once per request or WebSocket connection) and calls
//! the same domain functions as REST.

use crate::AppState;
use crate::auth::RequestContext;
use crate::domain::{events, prefs};
use crate::error::GqlResult;
use crate::generated::graphql::*;
use crate::graphql::perf;
use async_graphql::{ID, Result};
use futures::StreamExt;
use futures::stream::BoxStream;
use std::sync::Arc;

pub struct Resolvers(pub Arc<AppState>);

fn time(t: chrono::DateTime<chrono::Utc>) -> Time {
    Time(serde_json::Value::String(crate::store::format_time(t)))
}

fn severity_to_gql(s: &str) -> Severity {
    match s {
        "alert" => Severity::Alert,
        "critical" => Severity::Critical,
        "debug" => Severity::Debug,
        "emergency" => Severity::Emergency,
        "error" => Severity::Error,
        "success" => Severity::Success,
        "warning" => Severity::Warning,
        _ => Severity::Informational,
    }
}

fn severity_from_gql(s: Severity) -> String {
    format!("{s:?}").to_lowercase()
}

fn status_from_gql(s: EventStatus) -> String {
    format!("{s:?}").to_lowercase()
}

pub(crate) fn event(e: &events::Event) -> Event {
    Event {
        id: ID(e.id.clone()),
        user_id: ID(e.user_id.clone()),
        acted_upon: ID(e.acted_upon.clone()),
        operation_id: ID(e.operation_id.clone()),
        system_id: ID(e.system_id.clone()),
        severity: severity_to_gql(&e.severity),
        status: if e.status == "read" {
            EventStatus::Read
        } else {
            EventStatus::Unread
        },
        action: e.action.clone(),
        category: e.category.clone(),
        description: e.description.clone(),
        metadata: Map(serde_json::Value::Object(e.metadata.clone())),
        created_at: time(e.created_at),
        updated_at: time(e.updated_at),
    }
}

fn preference(p: prefs::Preference) -> Preference {
    Preference {
        anonymous_usage_stats: p.anonymous_usage_stats,
        anonymous_perf_results: p.anonymous_perf_results,
        selected_k8s_contexts: p.selected_k8s_contexts,
        load_test_prefs: LoadTestPreferences {
            c: p.load_test_prefs.c,
            qps: p.load_test_prefs.qps,
            t: p.load_test_prefs.t,
            load_generator: p.load_test_prefs.generator,
        },
        updated_at: time(p.updated_at),
    }
}

fn to_i32(n: i64) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

impl QueryResolvers for Resolvers {
    async fn get_user(&self, ctx: &RequestContext) -> Result<User> {
        let u = &ctx.user;
        Ok(User {
            id: ID(u.id.clone()),
            user_id: u.user_id.clone(),
            first_name: u.first_name.clone(),
            last_name: u.last_name.clone(),
            email: u.email.clone(),
            avatar_url: u.avatar_url.clone(),
            provider: u.provider.clone(),
        })
    }

    async fn get_user_prefs(&self, ctx: &RequestContext) -> Result<Preference> {
        Ok(preference(prefs::get(&self.0, ctx).await.gql()?))
    }

    async fn get_events(
        &self,
        ctx: &RequestContext,
        selector: Option<EventFilter>,
    ) -> Result<EventPage> {
        let s = selector.unwrap_or(EventFilter {
            page: None,
            page_size: None,
            search: None,
            category: None,
            severity: None,
            status: None,
            order: None,
        });
        let ascending = match s.order.as_deref() {
            None | Some("desc") => false,
            Some("asc") => true,
            Some(_) => {
                return Err(crate::error::AppError::invalid("order must be `asc` or `desc`").gql());
            }
        };
        let filter = events::Filter {
            page: i64::from(s.page.unwrap_or(0)),
            page_size: i64::from(s.page_size.unwrap_or(25)),
            search: s.search,
            categories: s.category.unwrap_or_default(),
            severities: s
                .severity
                .unwrap_or_default()
                .into_iter()
                .map(severity_from_gql)
                .collect(),
            status: s.status.map(status_from_gql),
            ascending,
        };
        let p = events::list(&self.0, ctx, filter).await.gql()?;
        Ok(EventPage {
            page: to_i32(p.page),
            page_size: to_i32(p.page_size),
            total_count: to_i32(p.total_count),
            events: p.events.iter().map(event).collect(),
        })
    }

    async fn get_providers(&self, _ctx: &RequestContext) -> Result<Vec<Provider>> {
        Ok(self
            .0
            .providers
            .all()
            .map(|p| {
                let info = p.info();
                Provider {
                    name: p.name().to_string(),
                    provider_type: info.provider_type.to_string(),
                    provider_url: info.provider_url,
                    package_version: info.package_version,
                    description: info.provider_description,
                    capabilities: info.capabilities.into_iter().map(|c| c.feature).collect(),
                }
            })
            .collect())
    }

    async fn get_performance_profiles(
        &self,
        ctx: &RequestContext,
        selector: PageFilter,
    ) -> Result<PerfPageProfiles> {
        let s = perf::selection(&selector).gql()?;
        perf::profiles_page(&self.0, &ctx.user, &s).await.gql()
    }

    async fn fetch_results(
        &self,
        ctx: &RequestContext,
        selector: PageFilter,
        profile_id: String,
    ) -> Result<PerfPageResult> {
        let s = perf::selection(&selector).gql()?;
        perf::results_page(&self.0, &ctx.user, &s, Some(profile_id))
            .await
            .gql()
    }

    async fn fetch_all_results(
        &self,
        ctx: &RequestContext,
        selector: PageFilter,
    ) -> Result<PerfPageResult> {
        let s = perf::selection(&selector).gql()?;
        perf::results_page(&self.0, &ctx.user, &s, None).await.gql()
    }

    async fn get_perf_result(&self, ctx: &RequestContext, id: ID) -> Result<Option<MesheryResult>> {
        perf::one_result(&self.0, &ctx.user, &id).await
    }
}

impl MutationResolvers for Resolvers {
    async fn update_user_prefs(
        &self,
        ctx: &RequestContext,
        input: PreferenceInput,
    ) -> Result<Preference> {
        let update = prefs::PreferenceUpdate {
            anonymous_usage_stats: input.anonymous_usage_stats,
            anonymous_perf_results: input.anonymous_perf_results,
            selected_k8s_contexts: input.selected_k8s_contexts,
            load_test_prefs: input.load_test_prefs.map(|l| prefs::LoadTestPrefs {
                c: l.c,
                qps: l.qps,
                t: l.t,
                generator: l.load_generator,
            }),
        };
        Ok(preference(prefs::update(&self.0, ctx, update).await.gql()?))
    }

    async fn update_event_status(
        &self,
        ctx: &RequestContext,
        input: EventStatusInput,
    ) -> Result<Event> {
        let e = events::set_status(
            &self.0,
            &ctx.user,
            &input.id,
            &status_from_gql(input.status),
        )
        .await?;
        Ok(event(&e))
    }

    async fn delete_event(&self, ctx: &RequestContext, input: DeleteEventInput) -> Result<ID> {
        events::delete(&self.0, &ctx.user, &input.id).await.gql()?;
        Ok(input.id)
    }
}

/// Ends a subscription with a "token expired" error when the session's token expires, so a client
/// learns why its subscription stopped instead of seeing it go quiet.
fn until_expiry<T: Send + 'static>(
    events: BoxStream<'static, Result<T>>,
    expires_at: Option<i64>,
) -> BoxStream<'static, Result<T>> {
    let Some(exp) = expires_at else { return events };
    let left = (exp - chrono::Utc::now().timestamp()).max(0) as u64;
    let expired = futures::stream::once(async move {
        tokio::time::sleep(std::time::Duration::from_secs(left)).await;
        Err(
            crate::error::AppError::unauthenticated("token expired; log in again and resubscribe")
                .gql(),
        )
    });
    // `None` marks the end of the events (shutdown): the merged stream ends there too.
    let events = events
        .map(Some)
        .chain(futures::stream::once(async { None }));
    futures::stream::select(events, expired.map(Some))
        .scan(false, |done, item| {
            let out = match item {
                _ if *done => None,
                None => None,
                Some(Err(e)) => {
                    *done = true;
                    Some(Err(e))
                }
                Some(ok) => Some(ok),
            };
            futures::future::ready(out)
        })
        .boxed()
}

impl SubscriptionResolvers for Resolvers {
    async fn subscribe_events(
        &self,
        ctx: &RequestContext,
    ) -> Result<BoxStream<'static, Result<Event>>> {
        let stream = crate::bus::user_events(self.0.bus.as_ref(), ctx.user.id.clone())
            .map(|e| Ok(event(&e)))
            .take_until(self.0.shutdown_signal());
        Ok(until_expiry(stream.boxed(), ctx.expires_at()))
    }

    async fn subscribe_perf_profiles(
        &self,
        ctx: &RequestContext,
        selector: PageFilter,
    ) -> Result<BoxStream<'static, Result<PerfPageProfiles>>> {
        let s = perf::selection(&selector).gql()?;
        let (state, user) = (self.0.clone(), ctx.user.clone());
        let stream = perf::page_stream(
            &self.0,
            &ctx.user,
            |_| true,
            move || {
                let (state, user, s) = (state.clone(), user.clone(), s.clone());
                async move { perf::profiles_page(&state, &user, &s).await }
            },
        );
        Ok(until_expiry(stream, ctx.expires_at()))
    }

    async fn subscribe_perf_results(
        &self,
        ctx: &RequestContext,
        selector: PageFilter,
        profile_id: String,
    ) -> Result<BoxStream<'static, Result<PerfPageResult>>> {
        let s = perf::selection(&selector).gql()?;
        // Fails now, not in the stream, for an unknown profile.
        perf::results_page(&self.0, &ctx.user, &s, Some(profile_id.clone()))
            .await
            .gql()?;
        let (state, user) = (self.0.clone(), ctx.user.clone());
        let wanted = profile_id.clone();
        let stream = perf::page_stream(
            &self.0,
            &ctx.user,
            move |changed| changed == Some(wanted.as_str()),
            move || {
                let (state, user, s) = (state.clone(), user.clone(), s.clone());
                let id = profile_id.clone();
                async move { perf::results_page(&state, &user, &s, Some(id)).await }
            },
        );
        Ok(until_expiry(stream, ctx.expires_at()))
    }

    async fn subscribe_perf_progress(
        &self,
        ctx: &RequestContext,
        profile_id: Option<String>,
    ) -> Result<BoxStream<'static, Result<PerfProgress>>> {
        let stream = perf::progress_stream(&self.0, &ctx.user, profile_id);
        Ok(until_expiry(stream, ctx.expires_at()))
    }
}
