//! Business rules shared by REST and GraphQL. Nothing here knows about HTTP: functions take
//! the application state and the authenticated user, validate, store, and publish.

pub mod cron;
pub mod events;
pub mod prefs;
pub mod profiles;
pub mod results;
pub mod runs;
pub mod schedules;
pub mod test_configs;
pub mod user;
