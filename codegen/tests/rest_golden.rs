//! Golden tests of the REST side of the generator: a small multi-file sample contract is
//! bundled and turned into poem-openapi stubs, and both outputs are compared with committed
//! files. `UPDATE_GOLDEN=1 cargo test -p codegen --test rest_golden` rewrites them after an
//! intended change; review the diff like any other code.

use std::path::Path;

fn golden(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/rest")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        expected == actual,
        "{name} differs from the golden file; rerun with UPDATE_GOLDEN=1 and review the diff"
    );
}

fn sample() -> codegen::bundle::Bundle {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/rest/openapi.yaml");
    codegen::bundle::load(&root).unwrap()
}

#[test]
fn bundle_matches_golden() {
    let b = sample();
    assert_eq!(b.files.len(), 3, "root, one path file, one schema file");
    let doc = &b.document;
    assert_eq!(
        doc["paths"]["/api/items"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
            ["items"]["$ref"],
        "#/components/schemas/Item"
    );
    assert_eq!(
        doc["components"]["schemas"]["Item"]["properties"]["kind"]["$ref"],
        "#/components/schemas/Kind"
    );
    golden("bundled.json", &serde_json::to_string_pretty(doc).unwrap());
}

#[test]
fn server_stubs_match_golden() {
    let spec = sample().openapi().unwrap();
    let cfg = codegen::rest_server::Config {
        auth_type: "crate::Auth".into(),
        error_type: "crate::AppError".into(),
        caller_type: "crate::Caller".into(),
    };
    let code = codegen::rest_server::generate(&spec, &cfg).unwrap();
    golden("server.rs", &code);
}

#[test]
fn client_generates() {
    let spec = sample().openapi().unwrap();
    let code = codegen::rest_client::generate(&spec).unwrap();
    assert!(code.contains("pub fn create_item"), "{code}");
    assert!(code.contains("pub fn watch_items"));
}
