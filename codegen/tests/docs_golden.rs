//! Golden tests for the reference documentation generator (`codegen::docs`).
//!
//! The sample contracts in `tests/golden/docs/` are rendered to Markdown and HTML and compared
//! with the checked-in outputs next to them. After an intended change, regenerate them with
//! `UPDATE_GOLDEN=1 cargo test -p codegen --test docs_golden` and review the diff.

use std::path::{Path, PathBuf};

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/docs")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn sample_spec() -> openapiv3::OpenAPI {
    serde_yaml::from_str::<openapiv3::OpenAPI>(&read(&golden_dir().join("sample.yaml")))
        .expect("sample.yaml is a valid OpenAPI 3.0 document")
}

fn sample_sdl() -> String {
    read(&golden_dir().join("sample.graphql"))
}

/// Compares `actual` with the golden file, or rewrites it when `UPDATE_GOLDEN=1`.
fn check(name: &str, actual: &str) {
    let path = golden_dir().join(name);
    if std::env::var("UPDATE_GOLDEN").as_deref() == Ok("1") {
        std::fs::write(&path, actual)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "missing golden file {}; run with UPDATE_GOLDEN=1 to create it",
            path.display()
        )
    });
    if expected != actual {
        let line = expected
            .lines()
            .zip(actual.lines())
            .position(|(e, a)| e != a)
            .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
        panic!(
            "{name} differs from the golden file at line {}:\n  expected: {:?}\n  actual:   {:?}\n\
             Run with UPDATE_GOLDEN=1 to accept the new output.",
            line + 1,
            expected.lines().nth(line).unwrap_or("<end of file>"),
            actual.lines().nth(line).unwrap_or("<end of file>"),
        );
    }
}

#[test]
fn rest_markdown_matches_golden() {
    let md = codegen::docs::rest_markdown(&sample_spec()).unwrap();
    check("sample.rest.md", &md);
}

#[test]
fn rest_html_matches_golden() {
    let html = codegen::docs::rest_html(&sample_spec()).unwrap();
    check("sample.rest.html", &html);
}

#[test]
fn graphql_markdown_matches_golden() {
    let md = codegen::docs::graphql_markdown(&sample_sdl()).unwrap();
    check("sample.graphql.md", &md);
}

#[test]
fn graphql_html_matches_golden() {
    let html = codegen::docs::graphql_html(&sample_sdl()).unwrap();
    check("sample.graphql.html", &html);
}

#[test]
fn output_is_deterministic() {
    let spec = sample_spec();
    let sdl = sample_sdl();
    assert_eq!(
        codegen::docs::rest_markdown(&spec).unwrap(),
        codegen::docs::rest_markdown(&spec).unwrap()
    );
    assert_eq!(
        codegen::docs::rest_html(&spec).unwrap(),
        codegen::docs::rest_html(&spec).unwrap()
    );
    assert_eq!(
        codegen::docs::graphql_html(&sdl).unwrap(),
        codegen::docs::graphql_html(&sdl).unwrap()
    );
}

#[test]
fn rest_order_follows_tags_then_path_then_method() {
    let md = codegen::docs::rest_markdown(&sample_spec()).unwrap();
    let pos = |needle: &str| {
        md.find(needle)
            .unwrap_or_else(|| panic!("{needle} not in output"))
    };
    // `events` is declared before `system` in `spec.tags`, although `/api/system/version` comes
    // first in `paths`.
    assert!(pos("### <a id=\"op-getEvents\">") < pos("### <a id=\"op-updateEvent\">"));
    assert!(pos("### <a id=\"op-updateEvent\">") < pos("### <a id=\"op-getSystemVersion\">"));
    assert!(pos("## <a id=\"schemas\">") < pos("## <a id=\"error-codes\">"));
}

/// The HTML must work at `/docs` with no network access.
#[test]
fn html_is_self_contained() {
    let pages = [
        codegen::docs::rest_html(&sample_spec()).unwrap(),
        codegen::docs::graphql_html(&sample_sdl()).unwrap(),
    ];
    for html in pages {
        assert!(html.starts_with("<!DOCTYPE html>"));
        for banned in [
            "<link",
            "src=",
            "@import",
            "url(",
            "http://",
            "https://",
            "<script>alert",
        ] {
            assert!(!html.contains(banned), "HTML page contains `{banned}`");
        }
        assert_eq!(
            html.matches("<script>").count(),
            1,
            "only the filter script"
        );
    }
}

/// The real contract of the server renders and mentions every root field.
#[test]
fn real_graphql_schema_renders() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../graphql/schema.graphql");
    let sdl = read(&path);
    let md = codegen::docs::graphql_markdown(&sdl).unwrap();
    let html = codegen::docs::graphql_html(&sdl).unwrap();
    for field in [
        "getUser",
        "getUserPrefs",
        "getEvents",
        "getProviders",
        "updateUserPrefs",
        "updateEventStatus",
        "deleteEvent",
        "subscribeEvents",
    ] {
        assert!(
            md.contains(&format!("`{field}`")),
            "{field} missing from Markdown"
        );
        assert!(
            html.contains(&format!("<code>{field}</code>")),
            "{field} missing from HTML"
        );
    }
    for ty in ["Severity", "EventFilter", "PreferenceInput", "Time", "Map"] {
        assert!(
            md.contains(&format!("<a id=\"type-{ty}\"></a>")),
            "{ty} missing"
        );
    }
}
