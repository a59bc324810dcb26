//! Writes the reference pages generated from the contracts into `generated-docs/`.
//! Run after changing `openapi/` or `graphql/`: `cargo run --bin gen-docs`.

use meshery_server::generated::docs;
use std::path::Path;

fn main() -> std::io::Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("generated-docs");
    for (file, text) in [
        ("rest/index.md", docs::REST_MD),
        ("rest/index.html", docs::REST_HTML),
        ("graphql/index.md", docs::GRAPHQL_MD),
        ("graphql/index.html", docs::GRAPHQL_HTML),
    ] {
        let path = root.join(file);
        std::fs::create_dir_all(path.parent().expect("has a parent"))?;
        std::fs::write(&path, text)?;
        println!("wrote {}", path.display());
    }
    Ok(())
}
