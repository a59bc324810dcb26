//! Lookups in the committed contract at run time, for the two checks poem-openapi does not
//! make: the `Allow` header of a 405 (RFC 9110 requires it), and strict JSON types in request
//! bodies (poem-openapi turns `7` and `false` into the strings `"7"` and `"false"`; the
//! contract says such a field is a string, so a number there is a client error).

use crate::generated::rest::OPERATIONS;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// The bundled contract, parsed once.
static SPEC: LazyLock<Value> =
    LazyLock::new(|| serde_json::from_str(crate::generated::OPENAPI_JSON).unwrap_or_default());

fn segments_match(template: &str, path: &str) -> Option<usize> {
    let t: Vec<&str> = template.split('/').collect();
    let p: Vec<&str> = path.split('/').collect();
    if t.len() != p.len() {
        return None;
    }
    let mut literal = 0;
    for (a, b) in t.iter().zip(&p) {
        if a.starts_with('{') && a.ends_with('}') {
            if b.is_empty() {
                return None;
            }
        } else if a == b {
            literal += 1;
        } else {
            return None;
        }
    }
    Some(literal)
}

/// The contract's path template that serves `path`, preferring literal segments over
/// parameters (`/status/bulk` over `/status/{id}`), as the router does.
pub fn template_for(path: &str) -> Option<&'static str> {
    OPERATIONS
        .iter()
        .filter_map(|op| segments_match(op.path, path).map(|score| (score, op.path)))
        .max_by_key(|(score, _)| *score)
        .map(|(_, t)| t)
}

/// Methods the contract allows on `path`, for the `Allow` header of a 405.
pub fn allowed_methods(path: &str) -> Option<String> {
    let template = template_for(path)?;
    let mut methods: Vec<&str> = OPERATIONS
        .iter()
        .filter(|o| o.path == template)
        .map(|o| o.method)
        .collect();
    methods.sort_unstable();
    methods.dedup();
    Some(methods.join(", "))
}

/// The JSON schema of the request body of `method path`, if the operation has one.
fn body_schema(method: &str, path: &str) -> Option<&'static Value> {
    let template = template_for(path)?;
    SPEC.pointer(&format!(
        "/paths/{}/{}/requestBody/content/application~1json/schema",
        template.replace('~', "~0").replace('/', "~1"),
        method.to_ascii_lowercase()
    ))
}

fn resolve(schema: &'static Value) -> &'static Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => r
            .strip_prefix('#')
            .and_then(|p| SPEC.pointer(p))
            .unwrap_or(schema),
        None => schema,
    }
}

/// Finds the first place where `value` has a number or boolean where the schema says string,
/// or `null` where the schema does not say `nullable` (poem-openapi reads such a `null` as
/// "absent"; the contract does not allow it).
fn first_violation(schema: &'static Value, value: &Value, at: &str) -> Option<String> {
    let schema = resolve(schema);
    let place = || {
        if at.is_empty() {
            "the body".to_string()
        } else {
            format!("`{at}`")
        }
    };
    let nullable = schema
        .get("nullable")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    match (schema.get("type").and_then(Value::as_str), value) {
        (Some("string"), Value::Number(_) | Value::Bool(_)) => {
            Some(format!("{} must be a string", place()))
        }
        (Some(_), Value::Null) if !nullable => Some(format!("{} must not be null", place())),
        (Some("array"), Value::Array(items)) => {
            let item = schema.get("items")?;
            items
                .iter()
                .enumerate()
                .find_map(|(i, v)| first_violation(item, v, &format!("{at}[{i}]")))
        }
        (_, Value::Object(map)) => {
            let props = schema.get("properties").and_then(Value::as_object);
            let extra = schema.get("additionalProperties").filter(|a| a.is_object());
            map.iter().find_map(|(k, v)| {
                let sub = props.and_then(|p| p.get(k)).or(extra)?;
                let here = if at.is_empty() {
                    k.clone()
                } else {
                    format!("{at}.{k}")
                };
                first_violation(sub, v, &here)
            })
        }
        _ => None,
    }
}

/// Rewrites the snake_case keys of a body whose schema says `x-accept-snake-case` to their
/// camelCase twins (mesheryctl sends `concurrent_request` where Meshery's schema says
/// `concurrentRequest`); a camelCase key already present wins. `None` when nothing changes.
pub fn accept_snake_case(method: &str, path: &str, body: &[u8]) -> Option<Vec<u8>> {
    let schema = resolve(body_schema(method, path)?);
    if schema.get("x-accept-snake-case").and_then(Value::as_bool) != Some(true) {
        return None;
    }
    let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(body) else {
        return None;
    };
    if !map.keys().any(|k| k.contains('_')) {
        return None;
    }
    let mut out = serde_json::Map::new();
    for (k, v) in &map {
        if !k.contains('_') {
            out.insert(k.clone(), v.clone());
        }
    }
    for (k, v) in map {
        if k.contains('_') {
            let camel = heck_camel(&k);
            out.entry(camel).or_insert(v);
        }
    }
    serde_json::to_vec(&Value::Object(out)).ok()
}

fn heck_camel(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// `Err(message)` when a JSON body breaks the contract in a way poem-openapi lets through.
pub fn check_body_types(method: &str, path: &str, body: &[u8]) -> Result<(), String> {
    let Some(schema) = body_schema(method, path) else {
        return Ok(());
    };
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        return Ok(());
    };
    match first_violation(schema, &value, "") {
        Some(problem) => Err(problem),
        None => Ok(()),
    }
}

/// Operation ids by template and method, for tests of this module.
pub fn operations_by_path() -> BTreeMap<&'static str, Vec<&'static str>> {
    let mut m: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for op in OPERATIONS {
        m.entry(op.path).or_default().push(op.method);
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_segments_win_over_parameters() {
        assert_eq!(
            template_for("/api/system/events/status/bulk"),
            Some("/api/system/events/status/bulk")
        );
        let id = "6f1c5fbf-fc49-4ddf-8a1b-87123e89725e";
        assert_eq!(
            template_for(&format!("/api/system/events/status/{id}")),
            Some("/api/system/events/status/{id}")
        );
        assert_eq!(template_for("/api/nope"), None);
        assert_eq!(
            allowed_methods("/api/user/prefs").as_deref(),
            Some("GET, POST")
        );
        assert!(operations_by_path().contains_key("/api/system/events"));
    }

    #[test]
    fn snake_case_bodies_are_read_as_camel_case_where_the_contract_says() {
        let body = br#"{"name":"p","concurrent_request":4,"load_generators":["wrk2"],"qps":5}"#;
        let out = accept_snake_case("POST", "/api/user/performance/profiles", body).unwrap();
        let v: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(
            (
                v["concurrentRequest"].as_i64(),
                v["loadGenerators"][0].as_str()
            ),
            (Some(4), Some("wrk2"))
        );
        assert!(v.get("concurrent_request").is_none());
        let both = br#"{"concurrentRequest":1,"concurrent_request":9}"#;
        let v: Value = serde_json::from_slice(
            &accept_snake_case("POST", "/api/performance/profiles", both).unwrap(),
        )
        .unwrap();
        assert_eq!(v["concurrentRequest"], 1, "the camelCase key wins");
        assert!(
            accept_snake_case("POST", "/api/system/events", br#"{"acted_upon":"x"}"#).is_none()
        );
    }

    #[test]
    fn numbers_and_booleans_are_not_strings() {
        let ok = br#"{"severity":"error","action":"a","category":"c","description":"d","metadata":{"n":1}}"#;
        assert!(check_body_types("POST", "/api/system/events", ok).is_ok());
        let bad = br#"{"severity":"error","action":7,"category":"c","description":"d"}"#;
        assert_eq!(
            check_body_types("POST", "/api/system/events", bad).unwrap_err(),
            "`action` must be a string"
        );
        let nested = br#"{"selectedK8sContexts":["a",false]}"#;
        assert_eq!(
            check_body_types("POST", "/api/user/prefs", nested).unwrap_err(),
            "`selectedK8sContexts[1]` must be a string"
        );
        let deep = br#"{"loadTestPrefs":{"c":1,"qps":1,"t":30,"gen":"fortio"}}"#;
        assert_eq!(
            check_body_types("POST", "/api/user/prefs", deep).unwrap_err(),
            "`loadTestPrefs.t` must be a string"
        );
        let null = br#"{"selectedK8sContexts":null}"#;
        assert_eq!(
            check_body_types("POST", "/api/user/prefs", null).unwrap_err(),
            "`selectedK8sContexts` must not be null"
        );
        assert!(check_body_types("POST", "/api/user/prefs", b"null").is_err());
    }
}

/// The served contract with a provider's extension operations added under `/api/extensions`,
/// where the proxy forwards them. Paths are prefixed with `/api/extensions` plus the part of the
/// extension document's server URL below the provider's base URL; schema names get an `Ext`
/// prefix (and their references follow) so they cannot collide with ours; every operation is
/// tagged `Extensions` and keeps the document's security.
pub fn with_extensions(base: &Value, ext: &Value, provider_base: &str) -> Value {
    let mut doc = base.clone();
    let server_prefix = ext
        .pointer("/servers/0/url")
        .and_then(Value::as_str)
        .and_then(|u| u.strip_prefix(provider_base.trim_end_matches('/')))
        .unwrap_or("")
        .trim_end_matches('/')
        .to_string();
    let ext = rename_refs(ext);
    if let (Some(paths), Some(target)) = (
        ext.get("paths").and_then(Value::as_object),
        doc.get_mut("paths").and_then(Value::as_object_mut),
    ) {
        for (path, item) in paths {
            let mut item = item.clone();
            if let Some(ops) = item.as_object_mut() {
                for op in ops.values_mut().filter_map(Value::as_object_mut) {
                    op.insert("tags".into(), serde_json::json!(["Extensions"]));
                    if let Some(id) = op.get("operationId").and_then(Value::as_str) {
                        let id = format!("extension_{id}");
                        op.insert("operationId".into(), Value::String(id));
                    }
                }
            }
            target.insert(format!("/api/extensions{server_prefix}{path}"), item);
        }
    }
    if let (Some(schemas), Some(target)) = (
        ext.pointer("/components/schemas")
            .and_then(Value::as_object),
        doc.pointer_mut("/components/schemas")
            .and_then(Value::as_object_mut),
    ) {
        for (name, schema) in schemas {
            target.insert(format!("Ext{name}"), schema.clone());
        }
    }
    doc
}

fn rename_refs(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| match (k.as_str(), v.as_str()) {
                    ("$ref", Some(r)) => {
                        let r = r.replacen("#/components/schemas/", "#/components/schemas/Ext", 1);
                        (k.clone(), Value::String(r))
                    }
                    _ => (k.clone(), rename_refs(v)),
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(rename_refs).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod extension_tests {
    #[test]
    fn extension_operations_are_added_under_the_proxy_path() {
        let base = serde_json::json!({"paths": {"/api/user": {}}, "components": {"schemas": {"User": {}}}});
        let ext = serde_json::json!({
            "servers": [{"url": "http://p:1/extensions"}],
            "paths": {"/hello": {"get": {"operationId": "hello", "responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Hello"}}}}}}}},
            "components": {"schemas": {"Hello": {"type": "object"}}}
        });
        let doc = super::with_extensions(&base, &ext, "http://p:1");
        let op = &doc["paths"]["/api/extensions/extensions/hello"]["get"];
        assert_eq!(op["operationId"], "extension_hello");
        assert_eq!(op["tags"][0], "Extensions");
        assert_eq!(
            op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/ExtHello"
        );
        assert!(doc["components"]["schemas"]["ExtHello"].is_object());
        assert!(doc["paths"]["/api/user"].is_object());
    }
}
