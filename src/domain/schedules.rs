//! Schedules: a cron expression that runs one of the user's performance profiles. This module
//! keeps them (save, get, list, delete); `crate::scheduler` starts their runs.
//!
//! A schedule is stored with what the scheduler needs to run as its owner later, with no
//! request and no token: the [`User`] as the provider described them at save time. Runs only
//! need the user's identity (results and events are keyed by it), never their credentials.

use crate::AppState;
use crate::domain::cron::Cron;
use crate::domain::user::User;
use crate::error::AppError;
use crate::store::{DocTable, ScheduleRow, format_time, parse_time};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq)]
pub struct Schedule {
    pub id: String,
    pub user_id: String,
    pub name: String,
    pub profile_id: String,
    pub cron_expression: String,
    /// `None` once the schedule has stopped (its profile was deleted).
    pub next_run: Option<DateTime<Utc>>,
    pub last_run: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Schedule {
    fn from_row(r: ScheduleRow) -> Self {
        Self {
            next_run: r.next_run.as_deref().map(parse_time),
            last_run: r.last_run.as_deref().map(parse_time),
            created_at: parse_time(&r.created_at),
            updated_at: parse_time(&r.updated_at),
            id: r.id,
            user_id: r.user_id,
            name: r.name,
            profile_id: r.profile_id,
            cron_expression: r.cron_expression,
        }
    }
}

/// A schedule to save; `id` replaces one of the user's schedules.
pub struct NewSchedule {
    pub id: Option<String>,
    pub name: String,
    pub profile_id: String,
    pub cron_expression: String,
}

pub struct Page {
    pub page: i64,
    pub page_size: i64,
    pub total_count: i64,
    pub schedules: Vec<Schedule>,
}

/// The parts of [`User`] that the row's own columns (`user_id`, `provider`) do not hold.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Owner {
    user_id: String,
    first_name: String,
    last_name: String,
    email: String,
    avatar_url: String,
}

/// The schedule's owner, rebuilt from the row, for the scheduler.
pub(crate) fn owner(r: &ScheduleRow) -> Result<User, AppError> {
    let o: Owner = serde_json::from_str(&r.owner)
        .map_err(|e| AppError::internal(format!("schedule {}: stored owner: {e}", r.id)))?;
    Ok(User {
        id: r.user_id.clone(),
        user_id: o.user_id,
        first_name: o.first_name,
        last_name: o.last_name,
        email: o.email,
        avatar_url: o.avatar_url,
        provider: r.provider.clone(),
    })
}

/// Parses the expression and finds its first tick after `now`; either failing is a 400 whose
/// message names the field.
pub fn first_tick(expr: &str, now: DateTime<Utc>) -> Result<(Cron, DateTime<Utc>), AppError> {
    let cron = Cron::parse(expr).map_err(|e| AppError::invalid(e.0))?;
    let next = cron
        .next_after(now)
        .ok_or_else(|| AppError::invalid("cronExpression never fires"))?;
    Ok((cron, next))
}

/// Creates or replaces a schedule. The profile must be one of the user's (404 otherwise).
/// Replacing restarts the schedule from now: `nextRun` is recomputed, `lastRun` is kept.
pub async fn save(state: &AppState, user: &User, s: NewSchedule) -> Result<Schedule, AppError> {
    let name = s.name.trim();
    if name.is_empty() || name.chars().count() > 128 {
        return Err(AppError::invalid("name must be 1 to 128 characters long"));
    }
    let now = Utc::now();
    let (_, next) = first_tick(&s.cron_expression, now)?;
    state
        .store
        .get_document(DocTable::Profiles, &user.id, &s.profile_id)
        .await?
        .ok_or_else(|| AppError::not_found(format_args!("performance profile {}", s.profile_id)))?;
    let stamp = format_time(now);
    let (id, created_at, last_run) = match &s.id {
        Some(id) => {
            let existing = state
                .store
                .get_schedule(&user.id, id)
                .await?
                .ok_or_else(|| AppError::not_found(format_args!("schedule {id}")))?;
            (existing.id, existing.created_at, existing.last_run)
        }
        None => (uuid::Uuid::new_v4().to_string(), stamp.clone(), None),
    };
    let owner = Owner {
        user_id: user.user_id.clone(),
        first_name: user.first_name.clone(),
        last_name: user.last_name.clone(),
        email: user.email.clone(),
        avatar_url: user.avatar_url.clone(),
    };
    let row = ScheduleRow {
        id,
        user_id: user.id.clone(),
        provider: user.provider.clone(),
        name: name.to_string(),
        profile_id: s.profile_id,
        cron_expression: s.cron_expression.trim().to_string(),
        next_run: Some(format_time(next)),
        last_run,
        owner: serde_json::to_string(&owner).map_err(AppError::internal)?,
        created_at,
        updated_at: stamp,
    };
    state.store.put_schedule(&row).await?;
    state.schedules_changed.notify_one();
    Ok(Schedule::from_row(row))
}

pub async fn get(state: &AppState, user: &User, id: &str) -> Result<Schedule, AppError> {
    state
        .store
        .get_schedule(&user.id, id)
        .await?
        .map(Schedule::from_row)
        .ok_or_else(|| AppError::not_found(format_args!("schedule {id}")))
}

pub async fn list(
    state: &AppState,
    user: &User,
    page: i64,
    page_size: i64,
    search: Option<&str>,
    ascending: bool,
) -> Result<Page, AppError> {
    let (rows, total) = state
        .store
        .list_schedules(&user.id, search, ascending, page_size, page * page_size)
        .await?;
    Ok(Page {
        page,
        page_size,
        total_count: total,
        schedules: rows.into_iter().map(Schedule::from_row).collect(),
    })
}

/// Deletes the schedule; runs it already started go on.
pub async fn delete(state: &AppState, user: &User, id: &str) -> Result<(), AppError> {
    if state.store.delete_schedule(&user.id, id).await? {
        state.schedules_changed.notify_one();
        Ok(())
    } else {
        Err(AppError::not_found(format_args!("schedule {id}")))
    }
}
