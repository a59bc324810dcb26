//! meshery-server: Meshery's API server, schema-first.
//!
//! The contracts in `openapi/` and `graphql/` are turned into code by `build.rs` (see the
//! `codegen` crate); this crate fills in the handler bodies ([`api`], [`graphql`]), the
//! provider/auth layer ([`auth`]), the rules ([`domain`]), persistence ([`store`]) and the
//! event [`bus`]. [`server`] wires them into one poem application.

pub mod api;
pub mod auth;
pub mod bus;
pub mod config;
pub mod contract;
pub mod domain;
pub mod error;
pub mod graphql;
pub mod loadgen;
pub mod metrics;
pub mod reference_provider;
pub mod scheduler;
pub mod server;
pub mod store;

use std::sync::Arc;

/// Code generated from the contracts; never edited by hand.
pub mod generated {
    /// REST models, routes, validation and handler traits from `openapi/`.
    #[allow(clippy::all, clippy::pedantic, unused_qualifications, missing_docs)]
    pub mod rest {
        include!(concat!(env!("OUT_DIR"), "/rest.rs"));
    }
    /// GraphQL types and resolver traits from `graphql/schema.graphql`.
    #[allow(clippy::all, clippy::pedantic, missing_docs)]
    pub mod graphql {
        include!(concat!(env!("OUT_DIR"), "/graphql.rs"));
    }
    /// The bundled OpenAPI document, served at `/api/openapi.json`.
    pub const OPENAPI_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/openapi.json"));
    /// The GraphQL contract, verbatim.
    pub const SDL: &str = include_str!("../graphql/schema.graphql");
    /// Reference pages generated from the contracts.
    pub mod docs {
        pub const REST_MD: &str = include_str!(concat!(env!("OUT_DIR"), "/docs/rest/index.md"));
        pub const REST_HTML: &str = include_str!(concat!(env!("OUT_DIR"), "/docs/rest/index.html"));
        pub const GRAPHQL_MD: &str =
            include_str!(concat!(env!("OUT_DIR"), "/docs/graphql/index.md"));
        pub const GRAPHQL_HTML: &str =
            include_str!(concat!(env!("OUT_DIR"), "/docs/graphql/index.html"));
    }
}

/// The REST SDK: a progenitor client generated from the same contract.
#[allow(clippy::all, clippy::pedantic, missing_docs, unused_imports)]
pub mod client {
    include!(concat!(env!("OUT_DIR"), "/client.rs"));
}

/// Everything a handler may need, shared by all requests.
pub struct AppState {
    pub config: config::Config,
    pub store: store::Store,
    pub bus: Arc<dyn bus::Bus>,
    pub providers: auth::Providers,
    /// Identifies this server instance in events (`systemId`).
    pub system_id: String,
    pub metrics: metrics::Metrics,
    /// Flips to `true` when shutdown starts.
    pub shutdown: tokio::sync::watch::Sender<bool>,
    /// One permit per load test allowed to run at once.
    pub perf_runs: Arc<tokio::sync::Semaphore>,
    /// Woken when this server saves or deletes a schedule, so the scheduler re-reads the
    /// earliest tick at once instead of at its next poll.
    pub schedules_changed: tokio::sync::Notify,
}
