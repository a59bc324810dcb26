//! Cron schedules of performance profiles. User-facing queries are scoped by the owning user;
//! the scheduler's queries (`earliest_next_run`, `due_schedules`, `claim_tick`, `stop_schedule`)
//! see every user's schedules, because it runs them all.
//!
//! Several replicas may share the table. A tick is started by whichever replica moves
//! `next_run` off it first: the move is one conditional `UPDATE … WHERE next_run = <tick>`,
//! which both SQLite and PostgreSQL apply atomically, so exactly one replica sees one row
//! affected.

use super::{Store, dynamic};
use crate::error::AppError;
use sqlx::Row;

#[derive(Clone, Debug, PartialEq)]
pub struct ScheduleRow {
    pub id: String,
    /// The owner's stable id (`User::id`), as in every user-owned table.
    pub user_id: String,
    /// The provider that authenticated the owner when the schedule was saved.
    pub provider: String,
    pub name: String,
    pub profile_id: String,
    pub cron_expression: String,
    /// The tick to start next; `None` once the schedule has stopped.
    pub next_run: Option<String>,
    /// The last tick that started a run.
    pub last_run: Option<String>,
    /// The rest of the owner (JSON), so the scheduler can run as them with no request.
    pub owner: String,
    pub created_at: String,
    pub updated_at: String,
}

const COLUMNS: &str = "id, user_id, provider, name, profile_id, cron_expression, next_run, last_run, owner, created_at, updated_at";

fn row(r: &sqlx::any::AnyRow) -> Result<ScheduleRow, sqlx::Error> {
    Ok(ScheduleRow {
        id: r.try_get("id")?,
        user_id: r.try_get("user_id")?,
        provider: r.try_get("provider")?,
        name: r.try_get("name")?,
        profile_id: r.try_get("profile_id")?,
        cron_expression: r.try_get("cron_expression")?,
        next_run: r.try_get("next_run")?,
        last_run: r.try_get("last_run")?,
        owner: r.try_get("owner")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

impl Store {
    /// Inserts the schedule, or replaces the user's schedule with the same id (never another
    /// user's). `last_run` is history and survives a replace.
    pub async fn put_schedule(&self, s: &ScheduleRow) -> Result<(), AppError> {
        dynamic(format!(
            "INSERT INTO schedules ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
             ON CONFLICT (id) DO UPDATE SET provider = excluded.provider, name = excluded.name,
                 profile_id = excluded.profile_id, cron_expression = excluded.cron_expression,
                 next_run = excluded.next_run, owner = excluded.owner, updated_at = excluded.updated_at
             WHERE schedules.user_id = excluded.user_id"
        ))
        .bind(&s.id)
        .bind(&s.user_id)
        .bind(&s.provider)
        .bind(&s.name)
        .bind(&s.profile_id)
        .bind(&s.cron_expression)
        .bind(s.next_run.clone())
        .bind(s.last_run.clone())
        .bind(&s.owner)
        .bind(&s.created_at)
        .bind(&s.updated_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub async fn get_schedule(
        &self,
        user_id: &str,
        id: &str,
    ) -> Result<Option<ScheduleRow>, AppError> {
        let r = dynamic(format!(
            "SELECT {COLUMNS} FROM schedules WHERE user_id = $1 AND id = $2"
        ))
        .bind(user_id)
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        Ok(r.as_ref().map(row).transpose()?)
    }

    /// A page of the user's schedules (newest update first unless `ascending`) and the total.
    pub async fn list_schedules(
        &self,
        user_id: &str,
        search: Option<&str>,
        ascending: bool,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<ScheduleRow>, i64), AppError> {
        let pattern = super::like_pattern(search);
        let filter = if pattern.is_some() {
            "user_id = $1 AND LOWER(name) LIKE $2 ESCAPE '\\'"
        } else {
            "user_id = $1"
        };
        let order = if ascending { "ASC" } else { "DESC" };
        let mut q = dynamic(format!(
            "SELECT {COLUMNS} FROM schedules WHERE {filter} ORDER BY updated_at {order}, id {order} LIMIT {limit} OFFSET {offset}"
        ))
        .bind(user_id.to_string());
        let mut c = dynamic(format!(
            "SELECT COUNT(*) AS n FROM schedules WHERE {filter}"
        ))
        .bind(user_id.to_string());
        if let Some(p) = &pattern {
            q = q.bind(p.clone());
            c = c.bind(p.clone());
        }
        let rows = q.fetch_all(self.pool()).await?;
        let total: i64 = c.fetch_one(self.pool()).await?.try_get("n")?;
        Ok((rows.iter().map(row).collect::<Result<Vec<_>, _>>()?, total))
    }

    pub async fn delete_schedule(&self, user_id: &str, id: &str) -> Result<bool, AppError> {
        let r = sqlx::query("DELETE FROM schedules WHERE user_id = $1 AND id = $2")
            .bind(user_id)
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(r.rows_affected() > 0)
    }

    /// The earliest tick of any user's running schedule.
    pub async fn earliest_next_run(&self) -> Result<Option<String>, AppError> {
        let r = sqlx::query("SELECT MIN(next_run) AS t FROM schedules WHERE next_run IS NOT NULL")
            .fetch_one(self.pool())
            .await?;
        Ok(r.try_get("t")?)
    }

    /// Every schedule whose tick is at or before `now` (stored format), earliest first.
    pub async fn due_schedules(&self, now: &str) -> Result<Vec<ScheduleRow>, AppError> {
        let rows = dynamic(format!(
            "SELECT {COLUMNS} FROM schedules WHERE next_run IS NOT NULL AND next_run <= $1 ORDER BY next_run, id"
        ))
        .bind(now)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.iter().map(row).collect::<Result<Vec<_>, _>>()?)
    }

    /// Takes the tick `tick` of schedule `id`: records it as the last run and moves on to
    /// `next`. `true` means this caller owns the tick and must start its run; `false` means
    /// another scheduler took it first, or the schedule was changed or deleted meanwhile.
    pub async fn claim_tick(
        &self,
        id: &str,
        tick: &str,
        next: Option<&str>,
    ) -> Result<bool, AppError> {
        let r = sqlx::query(
            "UPDATE schedules SET last_run = $1, next_run = $2 WHERE id = $3 AND next_run = $1",
        )
        .bind(tick)
        .bind(next.map(str::to_string))
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(r.rows_affected() == 1)
    }

    /// Stops schedule `id` at tick `tick` without a run (its `next_run` becomes NULL); `true`
    /// for the one caller that did it, with the same guarantee as [`Store::claim_tick`].
    pub async fn stop_schedule(&self, id: &str, tick: &str) -> Result<bool, AppError> {
        let r = sqlx::query("UPDATE schedules SET next_run = NULL WHERE id = $1 AND next_run = $2")
            .bind(id)
            .bind(tick)
            .execute(self.pool())
            .await?;
        Ok(r.rows_affected() == 1)
    }
}
