//! REST handler bodies: one file per contract tag, each implementing the generated
//! `<Tag>Api` trait on [`Handlers`]. Handlers translate between the generated models and the
//! domain; rules live in `crate::domain`.

mod events;
mod extensions;
mod perf_models;
mod performance;
mod providers;
mod schedules;
mod session;
mod system;
mod user;

use crate::AppState;
use std::sync::Arc;

#[derive(Clone)]
pub struct Handlers(pub Arc<AppState>);

impl std::ops::Deref for Handlers {
    type Target = AppState;
    fn deref(&self) -> &AppState {
        &self.0
    }
}
