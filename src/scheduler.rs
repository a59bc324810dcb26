//! The scheduler: one background task per server that starts the runs of stored schedules
//! (`crate::domain::schedules`) when their ticks come.
//!
//! - **Stored, not held.** Everything it knows comes from the `schedules` table at each pass,
//!   so a restarted server, or another replica on the same database, carries on.
//! - **When it wakes.** At the earliest stored `next_run`; at once when this server saves or
//!   deletes a schedule (`AppState::schedules_changed`); and at least every
//!   `--schedule-poll-secs`, which is how it sees schedules saved through another replica.
//! - **One run per tick.** A due tick is started only by the scheduler whose conditional
//!   `UPDATE` moves `next_run` off it (`Store::claim_tick`); every other replica, and a second
//!   pass of this one, finds nothing to claim.
//! - **Missed ticks are not replayed.** A due schedule starts one run for its stored tick,
//!   however late, and then moves on to its first tick after *now*. After a server was down
//!   for a day, an hourly schedule runs once at start-up, not 24 times: a backlog of load tests
//!   fired together would measure nothing useful and could swamp the target.
//! - **A deleted profile stops the schedule.** Its `next_run` becomes NULL (the schedule is
//!   kept, so the user sees what happened), a warning is logged and an event is recorded for
//!   the owner. Saving the schedule again with an existing profile restarts it.
//!
//! Runs go through `crate::domain::runs::start`, like a run the user starts: a detached task
//! that stores its result under the profile and reports on the bus.

use crate::AppState;
use crate::domain::cron::Cron;
use crate::domain::events::{self, NewEvent};
use crate::domain::user::User;
use crate::domain::{profiles, runs, schedules};
use crate::error::AppError;
use crate::generated::rest::ErrorCode;
use crate::store::{ScheduleRow, format_time, parse_time};
use chrono::{DateTime, Utc};
use std::sync::Arc;
use std::time::Duration;

/// How long to wait after a pass in which a due schedule could not be handled (the database
/// was unreachable, say), so a lasting failure does not spin.
const RETRY: Duration = Duration::from_secs(1);

/// Starts the scheduler; it ends when shutdown starts.
pub fn spawn(state: Arc<AppState>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(run(state))
}

async fn run(state: Arc<AppState>) {
    let mut stop = std::pin::pin!(state.shutdown_signal());
    let poll = Duration::from_secs(state.config.schedule_poll_secs.max(1));
    loop {
        let wait = match pass(&state).await {
            Ok((Some(next), false)) => (next - Utc::now()).to_std().unwrap_or_default().min(poll),
            Ok((None, false)) => poll,
            Ok((_, true)) => RETRY.min(poll),
            Err(e) => {
                tracing::warn!(error = %e.message, "scheduler: cannot read the schedules");
                RETRY.min(poll)
            }
        };
        tokio::select! {
            _ = &mut stop => break,
            _ = state.schedules_changed.notified() => {}
            _ = tokio::time::sleep(wait) => {}
        }
    }
}

/// Starts every due tick; returns the earliest tick left and whether some due schedule could
/// not be handled.
async fn pass(state: &Arc<AppState>) -> Result<(Option<DateTime<Utc>>, bool), AppError> {
    let now = Utc::now();
    let mut failed = false;
    for row in state.store.due_schedules(&format_time(now)).await? {
        if let Err(e) = fire(state, &row, now).await {
            tracing::warn!(schedule = %row.id, error = %e.message, "scheduler: could not handle a due schedule");
            failed = true;
        }
    }
    let next = state.store.earliest_next_run().await?;
    Ok((next.as_deref().map(parse_time), failed))
}

/// Handles one due schedule: claims its tick and starts the run, or stops it when its
/// profile is gone.
async fn fire(
    state: &Arc<AppState>,
    row: &ScheduleRow,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let Some(tick) = row.next_run.as_deref() else {
        return Ok(());
    };
    // Stored expressions were checked when saved; one that no longer parses (a parser
    // change) stops like a schedule without a profile rather than failing every pass.
    let cron = match Cron::parse(&row.cron_expression) {
        Ok(c) => c,
        Err(e) => {
            stop(
                state,
                row,
                tick,
                &format!("its cron expression is no longer accepted: {e}"),
            )
            .await?;
            return Ok(());
        }
    };
    let user = schedules::owner(row)?;
    let profile = match profiles::get(state, &user, &row.profile_id).await {
        Ok(p) => p,
        Err(e) if e.code == ErrorCode::NotFound => {
            stop(
                state,
                row,
                tick,
                &format!(
                    "its performance profile {} no longer exists",
                    row.profile_id
                ),
            )
            .await?;
            return Ok(());
        }
        Err(e) => return Err(e),
    };
    let next = cron.next_after(now).map(format_time);
    if !state
        .store
        .claim_tick(&row.id, tick, next.as_deref())
        .await?
    {
        // Another scheduler took this tick, or the schedule changed meanwhile.
        return Ok(());
    }
    let name = run_name(&row.name, parse_time(tick));
    let started = runs::request_for_profile(
        &profile,
        runs::Overrides {
            name: name.clone(),
            ..Default::default()
        },
    )
    .and_then(|req| runs::start(state.clone(), user.clone(), req));
    match started {
        Ok(handle) => {
            tracing::info!(schedule = %row.id, run = %handle.run_id, %tick, "scheduler: run started");
        }
        Err(e) => {
            // The tick is spent: the profile cannot run as it stands (a bad URL, say). The
            // user hears of it; the next tick tries again, after they may have fixed it.
            tracing::warn!(schedule = %row.id, %tick, error = %e.message, "scheduler: run not started");
            record(
                state,
                &user,
                row,
                "error",
                "failed",
                format!("Scheduled run {name:?} could not start: {}", e.message),
            )
            .await;
        }
    }
    Ok(())
}

/// A run's name: the schedule's, then the tick, within the 128 characters a run name allows.
fn run_name(schedule: &str, tick: DateTime<Utc>) -> String {
    let tick = tick.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let room = 128 - 1 - tick.chars().count();
    let base: String = schedule.chars().take(room).collect();
    format!("{} {tick}", base.trim_end())
}

/// Stops the schedule at this tick; the one scheduler that does it tells the owner.
async fn stop(state: &AppState, row: &ScheduleRow, tick: &str, why: &str) -> Result<(), AppError> {
    if state.store.stop_schedule(&row.id, tick).await? {
        tracing::warn!(schedule = %row.id, user = %row.user_id, "scheduler: schedule stopped: {why}");
        if let Ok(user) = schedules::owner(row) {
            record(
                state,
                &user,
                row,
                "warning",
                "stopped",
                format!("Schedule {:?} stopped: {why}", row.name),
            )
            .await;
        }
    }
    Ok(())
}

async fn record(
    state: &AppState,
    user: &User,
    row: &ScheduleRow,
    severity: &str,
    action: &str,
    description: String,
) {
    let mut metadata = serde_json::Map::new();
    metadata.insert("scheduleId".into(), row.id.clone().into());
    metadata.insert("profileId".into(), row.profile_id.clone().into());
    let new = NewEvent {
        severity: severity.into(),
        action: action.into(),
        category: "performance".into(),
        description,
        acted_upon: Some(row.id.clone()),
        operation_id: None,
        metadata,
    };
    if let Err(e) = events::record(state, user, new).await {
        tracing::warn!(schedule = %row.id, error = %e.message, "scheduler: could not record an event");
    }
}

#[cfg(test)]
mod tests {
    use super::run_name;

    #[test]
    fn run_names_carry_the_tick_and_fit_128_characters() {
        let tick = "2024-01-01T10:00:05Z".parse().unwrap();
        assert_eq!(run_name("nightly", tick), "nightly 2024-01-01T10:00:05Z");
        let long = run_name(&"é".repeat(128), tick);
        assert_eq!(long.chars().count(), 128);
        assert!(long.ends_with(" 2024-01-01T10:00:05Z"));
    }
}
