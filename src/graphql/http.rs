//! GraphQL over HTTP, following the GraphQL-over-HTTP specification (checked in CI by the
//! graphql-http audits): `application/graphql-response+json` when the client accepts it (4xx
//! for requests that fail to parse or validate), `application/json` otherwise (always 200),
//! 406 for an Accept header we cannot satisfy, 415 for a body that is not JSON, 405 for a
//! mutation over GET. A WebSocket upgrade on the same path is handed to [`super::ws`].

use super::AppSchema;
use crate::AppState;
use crate::error::AppError;
use crate::generated::rest::ErrorCode;
use async_graphql::parser::types::OperationType;
use poem::http::{Method, StatusCode, header};
use poem::web::Data;
use poem::{Body, IntoResponse, Request, Response, handler};
use serde_json::Value;
use std::sync::Arc;

const GQL_RESPONSE: &str = "application/graphql-response+json";

#[derive(Clone, Copy, PartialEq)]
enum MediaType {
    GraphqlResponse,
    Json,
}

fn negotiate(accept: Option<&str>) -> Option<MediaType> {
    let Some(accept) = accept.filter(|a| !a.trim().is_empty()) else {
        return Some(MediaType::Json);
    };
    let mut json = false;
    for part in accept.split(',') {
        let media = part
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        match media.as_str() {
            GQL_RESPONSE => return Some(MediaType::GraphqlResponse),
            "application/json" | "*/*" | "application/*" => json = true,
            _ => {}
        }
    }
    json.then_some(MediaType::Json)
}

fn reply(media: MediaType, status: StatusCode, body: Value) -> Response {
    let ct = match media {
        MediaType::GraphqlResponse => "application/graphql-response+json; charset=utf-8",
        MediaType::Json => "application/json; charset=utf-8",
    };
    Response::builder()
        .status(status)
        .content_type(ct)
        .body(body.to_string())
}

/// A request-level failure (the document never ran): `{"errors": [...]}` with our code.
fn request_error(media: MediaType, status: StatusCode, message: &str) -> Response {
    let body = serde_json::json!({
        "errors": [{ "message": message, "extensions": { "code": ErrorCode::GraphQlRequestRejected.code() } }]
    });
    reply(media, status, body)
}

/// The parts of a GraphQL request, from the JSON body or the query string.
fn parse_params(obj: serde_json::Map<String, Value>) -> Result<async_graphql::Request, String> {
    let query = match obj.get("query") {
        Some(Value::String(q)) => q.clone(),
        Some(_) => return Err("`query` must be a string".into()),
        None => return Err("`query` is required".into()),
    };
    let mut req = async_graphql::Request::new(query);
    match obj.get("variables") {
        None | Some(Value::Null) => {}
        Some(v @ Value::Object(_)) => {
            req = req.variables(async_graphql::Variables::from_json(v.clone()))
        }
        Some(_) => return Err("`variables` must be an object".into()),
    }
    match obj.get("operationName") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) => req = req.operation_name(s.clone()),
        Some(_) => return Err("`operationName` must be a string".into()),
    }
    match obj.get("extensions") {
        None | Some(Value::Null) => {}
        Some(Value::Object(m)) => {
            for (k, v) in m {
                if let Ok(v) = async_graphql::Value::from_json(v.clone()) {
                    req.extensions.insert(k.clone(), v);
                }
            }
        }
        Some(_) => return Err("`extensions` must be an object".into()),
    }
    Ok(req)
}

fn query_string_params(query: &str) -> Result<serde_json::Map<String, Value>, String> {
    let mut out = serde_json::Map::new();
    for (k, v) in url_pairs(query) {
        let value = match k.as_str() {
            "variables" | "extensions" => {
                serde_json::from_str::<Value>(&v).map_err(|_| format!("`{k}` must be JSON"))?
            }
            _ => Value::String(v),
        };
        out.insert(k, value);
    }
    Ok(out)
}

fn url_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|s| !s.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn decode(s: &str) -> String {
    let s = s.replace('+', " ");
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(b) = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The operation the request would run, if the document parses.
fn operation_type(req: &async_graphql::Request) -> Result<Option<OperationType>, String> {
    let doc = async_graphql::parser::parse_query(&req.query).map_err(|e| e.to_string())?;
    let ty = match (&doc.operations, req.operation_name.as_deref()) {
        (async_graphql::parser::types::DocumentOperations::Single(op), _) => Some(op.node.ty),
        (async_graphql::parser::types::DocumentOperations::Multiple(ops), Some(name)) => {
            ops.get(name).map(|op| op.node.ty)
        }
        (async_graphql::parser::types::DocumentOperations::Multiple(_), None) => None,
    };
    Ok(ty)
}

#[handler]
pub async fn endpoint(
    req: &Request,
    body: Body,
    schema: Data<&AppSchema>,
    state: Data<&Arc<AppState>>,
) -> Response {
    if req
        .header(header::UPGRADE)
        .is_some_and(|u| u.eq_ignore_ascii_case("websocket"))
    {
        return super::ws::upgrade(req, schema.0.clone(), state.0.clone()).await;
    }
    let Some(media) = negotiate(req.header(header::ACCEPT)) else {
        return request_error(
            MediaType::Json,
            StatusCode::NOT_ACCEPTABLE,
            "accept application/graphql-response+json or application/json",
        );
    };
    let params = if req.method() == Method::GET {
        query_string_params(req.uri().query().unwrap_or(""))
    } else {
        let ct = req
            .header(header::CONTENT_TYPE)
            .unwrap_or("")
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if ct != "application/json" {
            return request_error(
                media,
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "the body must be application/json",
            );
        }
        match body.into_bytes().await {
            Ok(bytes) => match serde_json::from_slice::<Value>(&bytes) {
                Ok(Value::Object(obj)) => Ok(obj),
                Ok(_) => Err("the body must be a JSON object".to_string()),
                Err(_) => Err("the body is not valid JSON".to_string()),
            },
            Err(e) => return crate::error::any_error_to_response(e.into()),
        }
    };
    let gql_req = match params.and_then(parse_params) {
        Ok(r) => r,
        Err(msg) => return request_error(media, StatusCode::BAD_REQUEST, &msg),
    };
    match operation_type(&gql_req) {
        Ok(Some(OperationType::Mutation)) if req.method() == Method::GET => {
            let mut resp =
                request_error(media, StatusCode::METHOD_NOT_ALLOWED, "mutations need POST");
            resp.headers_mut()
                .insert(header::ALLOW, "POST".parse().expect("static header"));
            return resp;
        }
        Ok(Some(OperationType::Subscription)) => {
            return request_error(
                media,
                StatusCode::BAD_REQUEST,
                "subscriptions need a WebSocket",
            );
        }
        Ok(_) => {}
        Err(msg) => {
            let status = if media == MediaType::GraphqlResponse {
                StatusCode::BAD_REQUEST
            } else {
                StatusCode::OK
            };
            return request_error(media, status, &msg);
        }
    }
    // Authenticate once; the context goes to every resolver of this request.
    let ctx = match crate::auth::authenticate(&state, req).await {
        Ok(ctx) => ctx,
        Err(e) => return auth_error(e),
    };
    let resp = schema.execute(gql_req.data(ctx)).await;
    let did_not_run = resp.data == async_graphql::Value::Null
        && !resp.errors.is_empty()
        && resp.errors.iter().all(|e| e.path.is_empty());
    let mut body = serde_json::to_value(&resp).unwrap_or_default();
    tag_errors(&mut body);
    let status = if did_not_run && media == MediaType::GraphqlResponse {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    reply(media, status, body)
}

fn auth_error(e: AppError) -> Response {
    let body = serde_json::json!({
        "errors": [{ "message": e.message, "extensions": { "code": e.code.code() } }]
    });
    Response::builder()
        .status(e.status())
        .content_type("application/json; charset=utf-8")
        .body(body.to_string())
        .into_response()
}

/// Errors raised by async-graphql itself (validation, limits) carry no code: give them ours.
pub(crate) fn tag_errors(body: &mut Value) {
    if let Some(errors) = body.get_mut("errors").and_then(Value::as_array_mut) {
        for e in errors {
            let ext = e.as_object_mut().map(|o| {
                o.entry("extensions")
                    .or_insert_with(|| serde_json::json!({}))
            });
            if let Some(Value::Object(ext)) = ext {
                ext.entry("code").or_insert_with(|| {
                    Value::String(ErrorCode::GraphQlRequestRejected.code().into())
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_negotiation() {
        assert!(negotiate(None) == Some(MediaType::Json));
        assert!(
            negotiate(Some("application/graphql-response+json, application/json"))
                == Some(MediaType::GraphqlResponse)
        );
        assert!(negotiate(Some("*/*")) == Some(MediaType::Json));
        assert!(negotiate(Some("text/html")).is_none());
    }

    #[test]
    fn query_string_decoding() {
        let p = query_string_params("query=%7B%20__typename%20%7D&variables=%7B%7D").unwrap();
        assert_eq!(p["query"], "{ __typename }");
        assert!(query_string_params("variables=nope").is_err());
    }
}
