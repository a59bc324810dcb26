//! Integration tests: the real server on `127.0.0.1:0`, driven by the generated clients.
//! One test binary (faster to link than one per file).

mod auth;
mod cli;
mod common;
mod contract;
mod docs;
mod events;
mod graphql;
mod graphql_perf;
mod limits;
mod performance;
mod providers;
mod remote;
mod runs;
mod schedules;
mod store;
mod system;
mod target;
mod user;
