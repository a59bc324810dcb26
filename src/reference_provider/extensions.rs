//! Extension endpoints: what meshery-server's extension proxy forwards to. Each one makes a
//! property of the proxy observable: `hello` that the user's token arrived, `echo` that the
//! method, path, query, body and content type arrived unchanged, `status` that the remote
//! status comes back. `openapi.json` describes them, for the `openapi` capability.

use super::routes::{authenticate, error, json};
use super::state::Shared;
use poem::http::{StatusCode, header};
use poem::web::{Data, Path, Query};
use poem::{Body, Request, Response, handler};
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;

/// The tag every extension operation carries in [`openapi`].
const TAG: &str = "Reference extension";

#[derive(Deserialize)]
pub(crate) struct HelloParams {
    name: Option<String>,
}

#[handler]
pub(crate) fn hello(
    req: &Request,
    Query(p): Query<HelloParams>,
    Data(shared): Data<&Arc<Shared>>,
) -> Response {
    match authenticate(shared, req) {
        Ok(c) => json(
            StatusCode::OK,
            json!({
                "message": format!("hello {}", p.name.as_deref().unwrap_or("world")),
                "user": c.sub,
                "method": req.method().as_str(),
            }),
        ),
        Err(e) => e.into(),
    }
}

/// Echoes the request. A body that is not JSON comes back as a string and an empty one as
/// `null`, so a proxy that mangles bodies is visible rather than a 400.
#[handler]
pub(crate) async fn echo(req: &Request, body: Body, Data(shared): Data<&Arc<Shared>>) -> Response {
    if let Err(e) = authenticate(shared, req) {
        return e.into();
    }
    let bytes = match body.into_vec().await {
        Ok(b) => b,
        Err(e) => return error(StatusCode::BAD_REQUEST, &format!("cannot read body: {e}")),
    };
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
    };
    let uri = req.original_uri();
    json(
        StatusCode::OK,
        json!({
            "method": req.method().as_str(),
            "path": uri.path(),
            "query": uri.query().unwrap_or(""),
            "body": body,
            "contentType": req.header(header::CONTENT_TYPE),
        }),
    )
}

/// Answers with the requested status (200–599) and a JSON body naming it.
#[handler]
pub(crate) fn status(
    req: &Request,
    Path(code): Path<u16>,
    Data(shared): Data<&Arc<Shared>>,
) -> Response {
    if let Err(e) = authenticate(shared, req) {
        return e.into();
    }
    match StatusCode::from_u16(code) {
        Ok(s) if (200..=599).contains(&code) => json(
            s,
            json!({"status": code, "message": s.canonical_reason().unwrap_or("")}),
        ),
        _ => error(
            StatusCode::BAD_REQUEST,
            "status must be between 200 and 599",
        ),
    }
}

/// Public on purpose: meshery-server fetches it to learn what the extension offers before
/// any user has logged in.
#[handler]
pub(crate) fn openapi(Data(shared): Data<&Arc<Shared>>) -> Response {
    json(StatusCode::OK, document(shared))
}

fn document(shared: &Shared) -> Value {
    let error_ref = json!({"$ref": "#/components/schemas/ExtError"});
    let json_of = |schema: Value| json!({"application/json": {"schema": schema}});
    let unauthorized = json!({
        "description": "The token is missing, invalid, expired or revoked.",
        "content": json_of(error_ref.clone()),
    });
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": format!("{} provider extension", shared.name),
            "version": shared.package_version,
            "description": "Endpoints of the reference remote provider's extension, \
                for exercising meshery-server's extension proxy.",
        },
        "servers": [{"url": format!("{}/extensions", shared.base_url)}],
        "tags": [{"name": TAG, "description": "Operations of the reference extension."}],
        "security": [{"bearerAuth": []}],
        "paths": {
            "/hello": {
                "get": {
                    "tags": [TAG],
                    "operationId": "extHello",
                    "summary": "Greets the caller",
                    "parameters": [{
                        "name": "name",
                        "in": "query",
                        "required": false,
                        "description": "Who to greet; `world` if absent.",
                        "schema": {"type": "string"},
                    }],
                    "responses": {
                        "200": {
                            "description": "The greeting and the token's subject.",
                            "content": json_of(json!({"$ref": "#/components/schemas/ExtHello"})),
                        },
                        "401": unauthorized,
                    },
                },
            },
            "/echo": {
                "post": {
                    "tags": [TAG],
                    "operationId": "extEcho",
                    "summary": "Echoes the request",
                    "requestBody": {
                        "required": false,
                        "content": json_of(json!({"type": "object", "additionalProperties": true})),
                    },
                    "responses": {
                        "200": {
                            "description": "What the extension received.",
                            "content": json_of(json!({"$ref": "#/components/schemas/ExtEcho"})),
                        },
                        "401": unauthorized,
                    },
                },
            },
            "/status/{code}": {
                "get": {
                    "tags": [TAG],
                    "operationId": "extStatus",
                    "summary": "Answers with the given status",
                    "parameters": [{
                        "name": "code",
                        "in": "path",
                        "required": true,
                        "description": "The HTTP status to answer with.",
                        "schema": {"type": "integer", "minimum": 200, "maximum": 599},
                    }],
                    "responses": {
                        "200": {
                            "description": "The status asked for, when it is 200.",
                            "content": json_of(json!({"$ref": "#/components/schemas/ExtStatus"})),
                        },
                        "401": unauthorized,
                        "default": {
                            "description": "The status asked for.",
                            "content": json_of(json!({"$ref": "#/components/schemas/ExtStatus"})),
                        },
                    },
                },
            },
        },
        "components": {
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
            },
            "schemas": {
                "ExtHello": {
                    "type": "object",
                    "required": ["message", "user", "method"],
                    "properties": {
                        "message": {"type": "string"},
                        "user": {"type": "string"},
                        "method": {"type": "string"},
                    },
                },
                "ExtEcho": {
                    "type": "object",
                    "required": ["method", "path", "query"],
                    "properties": {
                        "method": {"type": "string"},
                        "path": {"type": "string"},
                        "query": {"type": "string"},
                        "body": {"type": "object", "additionalProperties": true, "nullable": true},
                        "contentType": {"type": "string", "nullable": true},
                    },
                },
                "ExtStatus": {
                    "type": "object",
                    "required": ["status", "message"],
                    "properties": {
                        "status": {"type": "integer"},
                        "message": {"type": "string"},
                    },
                },
                "ExtError": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {"error": {"type": "string"}},
                },
            },
        },
    })
}
