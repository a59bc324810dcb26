//! Golden test of the GraphQL emitter: `golden/graphql/sample.graphql` must generate exactly
//! `golden/graphql/sample.rs`. Run with `UPDATE_GOLDEN=1` to rewrite the expected file after an
//! intended change, then review the diff.

use std::path::PathBuf;

use codegen::graphql_server::{Config, generate};

#[test]
fn sample_matches_golden() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/graphql");
    let sdl = std::fs::read_to_string(dir.join("sample.graphql")).expect("read sample.graphql");
    let cfg = Config {
        context_type: "crate::auth::RequestContext".to_string(),
    };
    let actual = generate(&sdl, &cfg).unwrap_or_else(|e| panic!("generate failed: {e}"));
    let golden = dir.join("sample.rs");
    if std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1") {
        std::fs::write(&golden, &actual).expect("write sample.rs");
        return;
    }
    let expected = std::fs::read_to_string(&golden)
        .expect("read sample.rs (run with UPDATE_GOLDEN=1 to create it)");
    if actual != expected {
        let first = actual
            .lines()
            .zip(expected.lines())
            .position(|(a, e)| a != e)
            .unwrap_or_else(|| actual.lines().count().min(expected.lines().count()));
        panic!(
            "generated code differs from {} from line {} on (run with UPDATE_GOLDEN=1 to \
             accept):\n--- expected\n{}\n--- actual\n{}",
            golden.display(),
            first + 1,
            expected
                .lines()
                .skip(first)
                .take(8)
                .collect::<Vec<_>>()
                .join("\n"),
            actual
                .lines()
                .skip(first)
                .take(8)
                .collect::<Vec<_>>()
                .join("\n"),
        );
    }
}
