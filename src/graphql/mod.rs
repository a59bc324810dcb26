//! GraphQL: the schema generated from `graphql/schema.graphql`, resolvers in
//! [`resolvers`], and three transports on one path: POST and GET ([`http`]) and WebSocket
//! with both subprotocols ([`ws`]), plus the offline Playground ([`playground`]).

pub mod errors;
pub mod http;
pub mod perf;
pub mod playground;
pub mod resolvers;
pub mod ws;

use crate::AppState;
use crate::generated::graphql::{MutationRoot, QueryRoot, SubscriptionRoot, schema_builder};
use poem::{EndpointExt, Route, get};
use resolvers::Resolvers;
use std::sync::Arc;

pub type AppSchema = async_graphql::Schema<
    QueryRoot<Resolvers>,
    MutationRoot<Resolvers>,
    SubscriptionRoot<Resolvers>,
>;

/// The executable schema, with the configured depth and complexity limits.
pub fn schema(state: &Arc<AppState>) -> AppSchema {
    schema_builder(Arc::new(Resolvers(state.clone())))
        .limit_depth(state.config.graphql_max_depth)
        .limit_complexity(state.config.graphql_max_complexity)
        .extension(errors::ErrorCodes)
        .finish()
}

/// `/query` (HTTP and WebSocket) and `/playground`, nested under both GraphQL prefixes.
pub fn routes(schema: AppSchema) -> Route {
    Route::new()
        .at(
            "/query",
            get(http::endpoint).post(http::endpoint).data(schema),
        )
        .nest("/playground", playground::routes())
}
