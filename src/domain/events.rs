//! Events: recorded by the server or by clients, listed with filters, marked read, deleted.
//! Every change is published on the bus so SSE and GraphQL subscribers see it.

use crate::AppState;
use crate::auth::RequestContext;
use crate::bus::Message;
use crate::domain::user::User;
use crate::error::AppError;
use crate::store::{EventQuery, EventRow};
use std::sync::Arc;

pub const SEVERITIES: &[&str] = &[
    "alert",
    "critical",
    "debug",
    "emergency",
    "error",
    "informational",
    "success",
    "warning",
];
pub const STATUSES: &[&str] = &["read", "unread"];

#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub id: String,
    pub user_id: String,
    pub acted_upon: String,
    pub operation_id: String,
    pub system_id: String,
    pub severity: String,
    pub status: String,
    pub action: String,
    pub category: String,
    pub description: String,
    pub metadata: serde_json::Map<String, serde_json::Value>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl Event {
    fn from_row(r: EventRow) -> Self {
        Self {
            metadata: serde_json::from_str(&r.metadata).unwrap_or_default(),
            created_at: crate::store::parse_time(&r.created_at),
            updated_at: crate::store::parse_time(&r.updated_at),
            id: r.id,
            user_id: r.user_id,
            acted_upon: r.acted_upon,
            operation_id: r.operation_id,
            system_id: r.system_id,
            severity: r.severity,
            status: r.status,
            action: r.action,
            category: r.category,
            description: r.description,
        }
    }
}

pub struct NewEvent {
    pub severity: String,
    pub action: String,
    pub category: String,
    pub description: String,
    pub acted_upon: Option<String>,
    pub operation_id: Option<String>,
    pub metadata: serde_json::Map<String, serde_json::Value>,
}

/// Page selection, as both transports express it.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub page: i64,
    pub page_size: i64,
    pub search: Option<String>,
    pub categories: Vec<String>,
    pub severities: Vec<String>,
    pub status: Option<String>,
    pub ascending: bool,
}

pub struct Page {
    pub page: i64,
    pub page_size: i64,
    pub total_count: i64,
    pub events: Vec<Event>,
    pub count_by_severity: Vec<(String, i64)>,
}

fn check_len(field: &str, value: &str, min: usize, max: usize) -> Result<(), AppError> {
    let n = value.chars().count();
    if n < min || n > max {
        return Err(AppError::invalid(format!(
            "{field} must be {min} to {max} characters long"
        )));
    }
    Ok(())
}

fn check_one_of(field: &str, value: &str, allowed: &[&str]) -> Result<(), AppError> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(AppError::invalid(format!(
            "{field} must be one of {allowed:?}"
        )))
    }
}

/// Checks a new event and makes its row.
fn new_row(state: &AppState, user: &User, new: NewEvent) -> Result<EventRow, AppError> {
    check_one_of("severity", &new.severity, SEVERITIES)?;
    check_len("action", &new.action, 1, 128)?;
    check_len("category", &new.category, 1, 128)?;
    check_len("description", &new.description, 0, 4096)?;
    check_len("actedUpon", new.acted_upon.as_deref().unwrap_or(""), 0, 128)?;
    check_len(
        "operationId",
        new.operation_id.as_deref().unwrap_or(""),
        0,
        128,
    )?;
    let now = crate::store::now();
    let row = EventRow {
        id: uuid::Uuid::new_v4().to_string(),
        user_id: user.id.clone(),
        acted_upon: new.acted_upon.unwrap_or_default(),
        operation_id: new.operation_id.unwrap_or_default(),
        system_id: state.system_id.clone(),
        severity: new.severity,
        status: "unread".into(),
        action: new.action,
        category: new.category,
        description: new.description,
        metadata: serde_json::Value::Object(new.metadata).to_string(),
        created_at: now.clone(),
        updated_at: now,
    };
    Ok(row)
}

/// Stores an event the server itself raises about the user's work (a load test started or
/// finished) and publishes it. Not handed to a remote provider: it may happen with no request,
/// and so no credentials, behind it (a scheduled run).
pub async fn record(state: &AppState, user: &User, new: NewEvent) -> Result<Event, AppError> {
    let row = new_row(state, user, new)?;
    store_and_publish(state, row).await
}

async fn store_and_publish(state: &AppState, row: EventRow) -> Result<Event, AppError> {
    state.store.insert_event(&row).await?;
    let event = Event::from_row(row);
    state.bus.publish(Message::Event(Arc::new(event.clone())));
    Ok(event)
}

/// Stores a new event, publishes it, and hands it to a remote provider that persists events.
pub async fn create(
    state: &AppState,
    ctx: &RequestContext,
    new: NewEvent,
) -> Result<Event, AppError> {
    let row = new_row(state, &ctx.user, new)?;
    // A remote provider keeps events (`persist-events`): it must have it before we do.
    let doc = serde_json::json!({
        "id": row.id, "userId": row.user_id, "actedUpon": row.acted_upon,
        "operationId": row.operation_id, "systemId": row.system_id, "severity": row.severity,
        "status": row.status, "action": row.action, "category": row.category,
        "description": row.description, "metadata": serde_json::from_str::<serde_json::Value>(&row.metadata).unwrap_or_default(),
        "createdAt": row.created_at, "updatedAt": row.updated_at,
    });
    ctx.provider.persist_event(&ctx.session, &doc).await?;
    store_and_publish(state, row).await
}

/// Brings the events a remote provider lists (`get-events`) into this server's store, so
/// filters, paging, read marks and deletes work the same for them. Known ids, deleted ones
/// included, are left alone: the user's read marks and deletions here win.
async fn import_from_provider(state: &AppState, ctx: &RequestContext) -> Result<(), AppError> {
    let listed = ctx.provider.fetch_events(&ctx.session).await?;
    for v in listed {
        let text = |new: &str, old: &str| {
            v.get(new)
                .or_else(|| v.get(old))
                .and_then(serde_json::Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let id = text("id", "id");
        if uuid::Uuid::parse_str(&id).is_err() {
            tracing::warn!(provider = %ctx.provider.name(), id = %id, "skipping a provider event without a UUID");
            continue;
        }
        let severity = Some(text("severity", "severity"))
            .filter(|s| SEVERITIES.contains(&s.as_str()))
            .unwrap_or_else(|| "informational".into());
        let status = Some(text("status", "status"))
            .filter(|s| STATUSES.contains(&s.as_str()))
            .unwrap_or_else(|| "unread".into());
        let now = crate::store::now();
        // Stored in the one fixed-width format, so provider events sort with ours.
        let time = |new: &str, old: &str| {
            chrono::DateTime::parse_from_rfc3339(&text(new, old))
                .map(|t| crate::store::format_time(t.with_timezone(&chrono::Utc)))
                .unwrap_or_else(|_| now.clone())
        };
        let row = EventRow {
            id,
            user_id: ctx.user.id.clone(),
            acted_upon: text("actedUpon", "acted_upon"),
            operation_id: text("operationId", "operation_id"),
            system_id: text("systemId", "system_id"),
            severity,
            status,
            action: text("action", "action"),
            category: text("category", "category"),
            description: text("description", "description"),
            metadata: v
                .get("metadata")
                .filter(|m| m.is_object())
                .cloned()
                .unwrap_or_else(|| serde_json::json!({}))
                .to_string(),
            created_at: time("createdAt", "created_at"),
            updated_at: time("updatedAt", "updated_at"),
        };
        state.store.import_event(&row).await?;
    }
    Ok(())
}

pub async fn list(state: &AppState, ctx: &RequestContext, f: Filter) -> Result<Page, AppError> {
    let user = &ctx.user;
    if !(1..=100).contains(&f.page_size) {
        return Err(AppError::invalid("pageSize must be between 1 and 100"));
    }
    if !(0..=1_000_000).contains(&f.page) {
        return Err(AppError::invalid("page must be between 0 and 1000000"));
    }
    for s in &f.severities {
        check_one_of("severity", s, SEVERITIES)?;
    }
    if let Some(s) = &f.status {
        check_one_of("status", s, STATUSES)?;
    }
    if f.search.as_deref().is_some_and(|s| s.len() > 256) {
        return Err(AppError::invalid(
            "search must be at most 256 characters long",
        ));
    }
    import_from_provider(state, ctx).await?;
    let q = EventQuery {
        offset: f.page * f.page_size,
        limit: f.page_size,
        search: f.search,
        categories: f.categories,
        severities: f.severities,
        status: f.status,
        ascending: f.ascending,
    };
    let (rows, total) = state.store.list_events(&user.id, &q).await?;
    let counts = state.store.count_by_severity(&user.id, &q).await?;
    Ok(Page {
        page: f.page,
        page_size: f.page_size,
        total_count: total,
        events: rows.into_iter().map(Event::from_row).collect(),
        count_by_severity: counts,
    })
}

/// Marks one event; publishes the changed event.
pub async fn set_status(
    state: &AppState,
    user: &User,
    id: &str,
    status: &str,
) -> Result<Event, AppError> {
    check_one_of("status", status, STATUSES)?;
    let changed = state
        .store
        .set_event_status(&user.id, &[id.to_string()], status, &crate::store::now())
        .await?;
    if changed == 0 {
        return Err(AppError::not_found(format_args!("event {id}")));
    }
    let event = state
        .store
        .get_event(&user.id, id)
        .await?
        .map(Event::from_row)
        .ok_or_else(|| AppError::not_found(format_args!("event {id}")))?;
    state.bus.publish(Message::Event(Arc::new(event.clone())));
    Ok(event)
}

/// Marks several events; ids of other users' events are ignored. Returns the count changed.
pub async fn set_status_bulk(
    state: &AppState,
    user: &User,
    ids: &[String],
    status: &str,
) -> Result<u64, AppError> {
    check_one_of("status", status, STATUSES)?;
    check_ids(ids)?;
    let n = state
        .store
        .set_event_status(&user.id, ids, status, &crate::store::now())
        .await?;
    for id in ids {
        if let Some(row) = state.store.get_event(&user.id, id).await? {
            state
                .bus
                .publish(Message::Event(Arc::new(Event::from_row(row))));
        }
    }
    Ok(n)
}

fn check_ids(ids: &[String]) -> Result<(), AppError> {
    if ids.is_empty() || ids.len() > 1000 {
        return Err(AppError::invalid("ids must list 1 to 1000 event ids"));
    }
    Ok(())
}

pub async fn delete(state: &AppState, user: &User, id: &str) -> Result<(), AppError> {
    if state
        .store
        .delete_events(&user.id, &[id.to_string()])
        .await?
        == 0
    {
        return Err(AppError::not_found(format_args!("event {id}")));
    }
    Ok(())
}

pub async fn delete_bulk(state: &AppState, user: &User, ids: &[String]) -> Result<u64, AppError> {
    check_ids(ids)?;
    state.store.delete_events(&user.id, ids).await
}

pub async fn types(state: &AppState, user: &User) -> Result<(Vec<String>, Vec<String>), AppError> {
    state.store.event_types(&user.id).await
}
