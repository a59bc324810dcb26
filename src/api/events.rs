//! `Events` tag: list, record, mark, delete and stream the user's events.

use super::Handlers;
use crate::auth::Authenticated;
use crate::domain::events as domain;
use crate::error::AppError;
use crate::generated::rest::*;
use futures::StreamExt;
use poem_openapi::payload::{EventStream, Json};
use std::time::Duration;

pub(crate) fn to_model(e: &domain::Event) -> Event {
    Event {
        id: e.id.parse().unwrap_or_default(),
        user_id: e.user_id.clone(),
        acted_upon: e.acted_upon.clone(),
        operation_id: e.operation_id.clone(),
        system_id: e.system_id.clone(),
        severity: severity_model(&e.severity),
        status: if e.status == "read" {
            EventStatus::Read
        } else {
            EventStatus::Unread
        },
        action: e.action.clone(),
        category: e.category.clone(),
        description: e.description.clone(),
        metadata: e.metadata.clone().into_iter().collect(),
        created_at: e.created_at,
        updated_at: e.updated_at,
    }
}

fn severity_model(s: &str) -> Severity {
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

fn ids(list: Vec<uuid::Uuid>) -> Vec<String> {
    list.into_iter().map(|u| u.to_string()).collect()
}

/// Completes when the session's token expires (never for sessions without expiry): the stream
/// ends then, and the browser's EventSource reconnects with its current cookie.
async fn session_end(expires_at: Option<i64>) {
    match expires_at {
        Some(exp) => {
            let left = (exp - chrono::Utc::now().timestamp()).max(0) as u64;
            tokio::time::sleep(Duration::from_secs(left)).await;
        }
        None => futures::future::pending::<()>().await,
    }
}

impl EventsApi for Handlers {
    #[allow(clippy::too_many_arguments)]
    async fn get_events(
        &self,
        auth: Authenticated,
        page: i64,
        pagesize: i64,
        search: Option<String>,
        order: Option<SortOrder>,
        category: Option<Vec<String>>,
        severity: Option<Vec<Severity>>,
        status: Option<EventStatus>,
    ) -> Result<GetEventsResponse, AppError> {
        let filter = domain::Filter {
            page,
            page_size: pagesize,
            search,
            categories: category.unwrap_or_default(),
            severities: severity
                .unwrap_or_default()
                .into_iter()
                .map(|s| s.as_str().to_string())
                .collect(),
            status: status.map(|s| s.as_str().to_string()),
            ascending: order == Some(SortOrder::Asc),
        };
        let p = domain::list(&self.0, &auth.0, filter).await?;
        Ok(GetEventsResponse::Ok(Json(EventPage {
            page: p.page,
            page_size: p.page_size,
            total_count: p.total_count,
            events: p.events.iter().map(to_model).collect(),
            count_by_severity_level: p
                .count_by_severity
                .into_iter()
                .map(|(s, count)| SeverityCount {
                    severity: severity_model(&s),
                    count,
                })
                .collect(),
        })))
    }

    async fn create_event(
        &self,
        auth: Authenticated,
        body: NewEvent,
    ) -> Result<CreateEventResponse, AppError> {
        let new = domain::NewEvent {
            severity: body.severity.as_str().to_string(),
            action: body.action,
            category: body.category,
            description: body.description,
            acted_upon: body.acted_upon,
            operation_id: body.operation_id,
            metadata: body.metadata.unwrap_or_default().into_iter().collect(),
        };
        let e = domain::create(&self.0, &auth.0, new).await?;
        Ok(CreateEventResponse::Created(Json(to_model(&e))))
    }

    async fn delete_event(
        &self,
        auth: Authenticated,
        id: uuid::Uuid,
    ) -> Result<DeleteEventResponse, AppError> {
        domain::delete(&self.0, &auth.0.user, &id.to_string()).await?;
        Ok(DeleteEventResponse::Ok(Json(Deleted { id })))
    }

    async fn update_event_status(
        &self,
        auth: Authenticated,
        id: uuid::Uuid,
        body: EventStatusUpdate,
    ) -> Result<UpdateEventStatusResponse, AppError> {
        let e = domain::set_status(&self.0, &auth.0.user, &id.to_string(), body.status.as_str())
            .await?;
        Ok(UpdateEventStatusResponse::Ok(Json(to_model(&e))))
    }

    async fn bulk_update_event_status(
        &self,
        auth: Authenticated,
        body: BulkEventStatusUpdate,
    ) -> Result<BulkUpdateEventStatusResponse, AppError> {
        let n =
            domain::set_status_bulk(&self.0, &auth.0.user, &ids(body.ids), body.status.as_str())
                .await?;
        Ok(BulkUpdateEventStatusResponse::Ok(Json(BulkResult {
            updated: n as i64,
        })))
    }

    async fn bulk_delete_events(
        &self,
        auth: Authenticated,
        body: BulkEventIds,
    ) -> Result<BulkDeleteEventsResponse, AppError> {
        let n = domain::delete_bulk(&self.0, &auth.0.user, &ids(body.ids)).await?;
        Ok(BulkDeleteEventsResponse::Ok(Json(BulkResult {
            updated: n as i64,
        })))
    }

    async fn get_event_types(
        &self,
        auth: Authenticated,
    ) -> Result<GetEventTypesResponse, AppError> {
        let (category, action) = domain::types(&self.0, &auth.0.user).await?;
        Ok(GetEventTypesResponse::Ok(Json(EventTypes {
            category,
            action,
        })))
    }

    async fn subscribe_events(
        &self,
        auth: Authenticated,
    ) -> Result<SubscribeEventsResponse, AppError> {
        let stream = crate::bus::user_events(self.bus.as_ref(), auth.0.user.id.clone());
        let guard = self.metrics.sse_opened();
        let stream = stream
            .map(move |e| {
                let _keep = &guard;
                to_model(&e)
            })
            .take_until(self.0.shutdown_signal())
            .take_until(session_end(auth.0.expires_at()))
            .boxed();
        let keepalive = Duration::from_secs(self.config.sse_keepalive_secs);
        Ok(SubscribeEventsResponse::Ok(
            EventStream::new(stream).keep_alive(keepalive),
        ))
    }
}
