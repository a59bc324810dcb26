//! GraphQL over WebSocket: both `graphql-transport-ws` and the legacy `graphql-ws`
//! (subscriptions-transport-ws) on the query path. The connection is authenticated once, at
//! `connection_init`: from the upgrade request (cookie or bearer), or from the init payload
//! (`{"Authorization": "Bearer …"}` or `{"token": "…"}`), which browsers need because they
//! cannot set headers on a WebSocket. A client that does not send `connection_init` in time,
//! or sends an oversized message, is disconnected.

use super::AppSchema;
use crate::AppState;
use crate::auth::{RequestContext, bearer_or_cookie_token};
use async_graphql::Data;
use async_graphql_poem::{GraphQLProtocol, GraphQLWebSocket};
use futures::StreamExt;
use poem::web::websocket::{WebSocket, WebSocketConfig};
use poem::{FromRequest, IntoResponse, Request, RequestBody, Response};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

const SHUTDOWN_GRACE: Duration = Duration::from_millis(250);

pub async fn upgrade(req: &Request, schema: AppSchema, state: Arc<AppState>) -> Response {
    let mut body = RequestBody::default();
    let ws = match WebSocket::from_request(req, &mut body).await {
        Ok(ws) => ws,
        Err(e) => return crate::error::any_error_to_response(e),
    };
    let protocol = match GraphQLProtocol::from_request(req, &mut body).await {
        Ok(p) => p,
        Err(e) => return crate::error::any_error_to_response(e),
    };
    let provider_name = crate::auth::requested_provider_name(req, &state.config.provider);
    let header_token = bearer_or_cookie_token(req.header("authorization"), req.header("cookie"));
    let max = state.config.ws_max_message_bytes;
    let config = WebSocketConfig::default()
        .max_message_size(Some(max))
        .max_frame_size(Some(max));
    let init_timeout = Duration::from_secs(state.config.ws_init_timeout_secs);
    ws.protocols(async_graphql::http::ALL_WEBSOCKET_PROTOCOLS)
        .config(config)
        .on_upgrade(move |socket| async move {
            let guard = state.metrics.ws_opened();
            let (sink, stream) = socket.split();
            let initialised = Arc::new(AtomicBool::new(false));
            let flag = initialised.clone();
            // Ends the incoming stream (and so the connection) if `connection_init` is late,
            // or when the server shuts down.
            let deadline = async move {
                tokio::time::sleep(init_timeout).await;
                if flag.load(Ordering::SeqCst) {
                    futures::future::pending::<()>().await;
                }
            };
            let shutdown = state.shutdown_signal();
            let stop = async move {
                tokio::select! {
                    _ = deadline => {}
                    _ = shutdown => {
                        // Subscriptions end on shutdown too; give their `complete` messages a
                        // moment to reach the client before the socket closes.
                        tokio::time::sleep(SHUTDOWN_GRACE).await;
                    }
                }
            };
            let stream = stream.take_until(stop);
            let auth_state = state.clone();
            GraphQLWebSocket::new_with_pair(sink, stream, schema, protocol)
                .on_connection_init(move |payload| async move {
                    let token = payload_token(&payload).or(header_token);
                    let ctx = authenticate(&auth_state, &provider_name, token).await?;
                    initialised.store(true, Ordering::SeqCst);
                    let mut data = Data::default();
                    data.insert(ctx);
                    Ok(data)
                })
                .serve()
                .await;
            drop(guard);
        })
        .into_response()
}

/// The token a client put in its `connection_init` payload, if any.
fn payload_token(payload: &serde_json::Value) -> Option<String> {
    let get = |k: &str| payload.get(k).and_then(|v| v.as_str()).map(str::to_string);
    if let Some(auth) = get("Authorization").or_else(|| get("authorization")) {
        return bearer_or_cookie_token(Some(&auth), None);
    }
    get("token").and_then(|t| crate::auth::token_from_cookie_value(&t))
}

async fn authenticate(
    state: &AppState,
    provider: &str,
    token: Option<String>,
) -> async_graphql::Result<RequestContext> {
    let provider = state
        .providers
        .get(provider)
        .ok_or_else(|| crate::error::AppError::unknown_provider(provider).gql())?;
    let user = provider
        .authenticate(token.as_deref())
        .await
        .map_err(crate::error::AppError::gql)?;
    let session = crate::auth::Session::new(token.clone(), None, Default::default());
    Ok(RequestContext::new(provider, user, token, session))
}
