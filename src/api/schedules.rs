//! `Schedules` tag: cron schedules of performance profiles. Rules in
//! `crate::domain::schedules`; the runs themselves are started by `crate::scheduler`.

use super::Handlers;
use crate::auth::Authenticated;
use crate::domain::schedules as domain;
use crate::error::AppError;
use crate::generated::rest::*;
use poem_openapi::payload::Json;

fn to_model(s: domain::Schedule) -> Schedule {
    Schedule {
        id: s.id.parse().unwrap_or_default(),
        name: s.name,
        user_id: s.user_id,
        profile_id: s.profile_id.parse().unwrap_or_default(),
        cron_expression: s.cron_expression,
        last_run: s.last_run,
        next_run: s.next_run,
        created_at: s.created_at,
        updated_at: s.updated_at,
    }
}

impl SchedulesApi for Handlers {
    async fn get_schedules(
        &self,
        auth: Authenticated,
        page: i64,
        pagesize: i64,
        search: Option<String>,
        order: Option<SortOrder>,
    ) -> Result<GetSchedulesResponse, AppError> {
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
        Ok(GetSchedulesResponse::Ok(Json(SchedulePage {
            page: p.page,
            page_size: p.page_size,
            total_count: p.total_count,
            schedules: p.schedules.into_iter().map(to_model).collect(),
        })))
    }

    async fn save_schedule(
        &self,
        auth: Authenticated,
        body: ScheduleInput,
    ) -> Result<SaveScheduleResponse, AppError> {
        let new = domain::NewSchedule {
            id: body.id.map(|u| u.to_string()),
            name: body.name,
            profile_id: body.profile_id.to_string(),
            cron_expression: body.cron_expression,
        };
        let saved = domain::save(&self.0, &auth.0.user, new).await?;
        Ok(SaveScheduleResponse::Ok(Json(to_model(saved))))
    }

    async fn get_schedule(
        &self,
        auth: Authenticated,
        id: uuid::Uuid,
    ) -> Result<GetScheduleResponse, AppError> {
        let s = domain::get(&self.0, &auth.0.user, &id.to_string()).await?;
        Ok(GetScheduleResponse::Ok(Json(to_model(s))))
    }

    async fn delete_schedule(
        &self,
        auth: Authenticated,
        id: uuid::Uuid,
    ) -> Result<DeleteScheduleResponse, AppError> {
        domain::delete(&self.0, &auth.0.user, &id.to_string()).await?;
        Ok(DeleteScheduleResponse::Ok(Json(Deleted { id })))
    }
}
