//! The running server serves exactly the committed contract: the spec poem-openapi renders
//! from the generated code equals the bundled `openapi/` document, and the SDL async-graphql
//! prints equals `graphql/schema.graphql`, both after normalising what the renderers are free
//! to vary (descriptions, ordering, media-type parameters, how a `$ref` with a description is
//! wrapped). `/api/openapi.json` is the bundled document itself.

use crate::common::*;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// Keeps the parts of a schema that change what is valid on the wire.
fn schema(v: &Value) -> Value {
    let Some(obj) = v.as_object() else {
        return v.clone();
    };
    if let Some(Value::Array(all)) = obj.get("allOf")
        && all.len() == 1
    {
        return schema(&all[0]);
    }
    let mut out = Map::new();
    for key in ["$ref", "type", "format", "enum", "pattern", "default"] {
        if let Some(x) = obj.get(key) {
            out.insert(key.into(), x.clone());
        }
    }
    for key in [
        "minLength",
        "maxLength",
        "minimum",
        "maximum",
        "minItems",
        "maxItems",
    ] {
        if let Some(x) = obj.get(key).and_then(Value::as_f64) {
            out.insert(key.into(), json!(x));
        }
    }
    if let Some(req) = obj.get("required").and_then(Value::as_array) {
        let mut r: Vec<String> = req
            .iter()
            .filter_map(|x| x.as_str().map(String::from))
            .collect();
        r.sort();
        if !r.is_empty() {
            out.insert("required".into(), json!(r));
        }
    }
    if let Some(props) = obj.get("properties").and_then(Value::as_object) {
        let p: BTreeMap<_, _> = props.iter().map(|(k, v)| (k.clone(), schema(v))).collect();
        out.insert("properties".into(), json!(p));
    }
    if let Some(items) = obj.get("items") {
        out.insert("items".into(), schema(items));
    }
    let is_free_object =
        obj.get("type") == Some(&json!("object")) && !obj.contains_key("properties");
    match obj.get("additionalProperties") {
        Some(Value::Bool(true)) | None if is_free_object => {
            out.insert("additionalProperties".into(), json!({}));
        }
        Some(ap) if ap.is_object() => {
            out.insert("additionalProperties".into(), schema(ap));
        }
        _ => {}
    }
    Value::Object(out)
}

fn media(m: &str) -> String {
    m.split(';').next().unwrap_or(m).trim().to_string()
}

/// One canonical map of everything that must agree.
fn canonical(doc: &Value) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    let root_security = doc.get("security").cloned().unwrap_or(json!([]));
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let mut params: Vec<Value> = op
                .get("parameters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|p| json!({"name": p["name"], "in": p["in"], "required": p.get("required").cloned().unwrap_or(json!(false)), "schema": schema(&p["schema"])}))
                .collect();
            params.sort_by_key(|p| p["name"].to_string());
            let body = op.get("requestBody").map(|b| {
                let content: BTreeMap<_, _> =
                    b["content"].as_object().unwrap().iter().map(|(m, c)| (media(m), schema(&c["schema"]))).collect();
                json!({"required": b.get("required").cloned().unwrap_or(json!(false)), "content": content})
            });
            let responses: BTreeMap<_, _> = op["responses"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(status, r)| {
                    let content: BTreeMap<_, _> = r
                        .get("content")
                        .and_then(Value::as_object)
                        .into_iter()
                        .flatten()
                        .map(|(m, c)| {
                            let m = media(m);
                            // poem-openapi describes SSE as an array of items: compare the media type.
                            let s = if m == "text/event-stream" {
                                json!(null)
                            } else {
                                schema(&c["schema"])
                            };
                            (m, s)
                        })
                        .collect();
                    let headers: Vec<String> = r
                        .get("headers")
                        .and_then(Value::as_object)
                        .into_iter()
                        .flatten()
                        .map(|(h, _)| h.to_ascii_lowercase())
                        .collect();
                    (
                        status.clone(),
                        json!({"content": content, "headers": headers}),
                    )
                })
                .collect();
            let mut security: Vec<String> = op
                .get("security")
                .filter(|v| !v.is_null())
                .unwrap_or(&root_security)
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|req| req.as_object().unwrap().keys().cloned())
                .collect();
            security.sort();
            out.insert(
                format!("{} {path}", method.to_uppercase()),
                json!({"operationId": op["operationId"], "tags": op["tags"], "parameters": params, "body": body, "responses": responses, "security": security}),
            );
        }
    }
    for (name, s) in doc["components"]["schemas"].as_object().unwrap() {
        out.insert(format!("schema {name}"), schema(s));
    }
    for (name, s) in doc["components"]["securitySchemes"].as_object().unwrap() {
        let mut s = s.clone();
        s.as_object_mut().unwrap().remove("description");
        out.insert(format!("security scheme {name}"), s);
    }
    out
}

fn diff(a: &BTreeMap<String, Value>, b: &BTreeMap<String, Value>) -> Vec<String> {
    let mut d = Vec::new();
    for (k, v) in a {
        match b.get(k) {
            None => d.push(format!("only in the contract: {k}")),
            Some(w) if w != v => d.push(format!("{k}:\n  contract: {v}\n  served:   {w}")),
            _ => {}
        }
    }
    for k in b.keys().filter(|k| !a.contains_key(*k)) {
        d.push(format!("only in the served spec: {k}"));
    }
    d
}

#[tokio::test]
async fn served_openapi_equals_the_committed_contract() {
    let s = server().await;
    let state = s.running.as_ref().unwrap().state.clone();
    let rendered: Value =
        serde_json::from_str(&meshery_server::server::openapi_service(&state).spec()).unwrap();
    let committed: Value = serde_json::from_str(meshery_server::generated::OPENAPI_JSON).unwrap();
    let d = diff(&canonical(&committed), &canonical(&rendered));
    assert!(
        d.is_empty(),
        "the served API differs from openapi/:\n{}",
        d.join("\n")
    );

    // And the document we hand out is the committed one, in both encodings.
    let http = reqwest::Client::new();
    let json: Value = http
        .get(s.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(json, committed);
    let yaml = http
        .get(s.url("/api/openapi.yaml"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(serde_yaml::from_str::<Value>(&yaml).unwrap(), committed);
    s.stop().await;
}

#[test]
fn the_comparison_notices_a_changed_contract() {
    let committed: Value = serde_json::from_str(meshery_server::generated::OPENAPI_JSON).unwrap();
    let mut changed = committed.clone();
    changed["components"]["schemas"]["Event"]["required"] = json!(["id"]);
    changed["paths"]["/api/system/events"]["get"]["parameters"][0]["schema"]["maximum"] = json!(5);
    changed["paths"]["/api/system/version"]["get"]["security"] = json!(null);
    let d = diff(&canonical(&committed), &canonical(&changed));
    assert_eq!(d.len(), 3, "{d:#?}");
}

/// A GraphQL document reduced to what clients depend on.
fn sdl_canonical(sdl: &str) -> BTreeMap<String, String> {
    use async_graphql::parser::types::{TypeKind, TypeSystemDefinition};
    let doc = async_graphql::parser::parse_schema(sdl).expect("SDL parses");
    let mut out = BTreeMap::new();
    let desc = |d: &Option<async_graphql::Positioned<String>>| {
        d.as_ref()
            .map(|d| d.node.trim().to_string())
            .unwrap_or_default()
    };
    for def in doc.definitions {
        let TypeSystemDefinition::Type(t) = def else {
            continue;
        };
        let t = t.node;
        let name = t.name.node.to_string();
        if name.starts_with("__") {
            continue;
        }
        let body = match t.kind {
            TypeKind::Scalar => "scalar".to_string(),
            TypeKind::Enum(e) => {
                let mut v: Vec<String> = e
                    .values
                    .iter()
                    .map(|v| format!("{}#{}", v.node.value.node, desc(&v.node.description)))
                    .collect();
                v.sort();
                format!("enum {v:?}")
            }
            TypeKind::Object(o) => {
                let fields: Vec<String> = o
                    .fields
                    .iter()
                    .map(|f| {
                        let f = &f.node;
                        let args: Vec<String> = f
                            .arguments
                            .iter()
                            .map(|a| {
                                format!(
                                    "{}:{}={:?}",
                                    a.node.name.node,
                                    a.node.ty.node,
                                    a.node.default_value.as_ref().map(|d| d.node.to_string())
                                )
                            })
                            .collect();
                        format!(
                            "{}({}):{}#{}",
                            f.name.node,
                            args.join(","),
                            f.ty.node,
                            desc(&f.description)
                        )
                    })
                    .collect();
                format!("type {fields:?}")
            }
            TypeKind::InputObject(i) => {
                let fields: Vec<String> = i
                    .fields
                    .iter()
                    .map(|f| {
                        format!(
                            "{}:{}={:?}#{}",
                            f.node.name.node,
                            f.node.ty.node,
                            f.node.default_value.as_ref().map(|d| d.node.to_string()),
                            desc(&f.node.description)
                        )
                    })
                    .collect();
                format!("input {fields:?}")
            }
            other => format!("{other:?}"),
        };
        out.insert(name.clone(), format!("{body} #{}", desc(&t.description)));
    }
    out
}

#[tokio::test]
async fn served_sdl_equals_the_committed_schema() {
    let s = server().await;
    let state = s.running.as_ref().unwrap().state.clone();
    let served = meshery_server::graphql::schema(&state).sdl();
    let committed = sdl_canonical(meshery_server::generated::SDL);
    let served = sdl_canonical(&served);
    let mut d = Vec::new();
    for (k, v) in &committed {
        if served.get(k) != Some(v) {
            d.push(format!(
                "{k}:\n  contract: {v}\n  served:   {:?}",
                served.get(k)
            ));
        }
    }
    for k in served.keys().filter(|k| !committed.contains_key(*k)) {
        d.push(format!("only served: {k}"));
    }
    assert!(
        d.is_empty(),
        "the served GraphQL schema differs from graphql/schema.graphql:\n{}",
        d.join("\n")
    );
    s.stop().await;
}
