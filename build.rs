//! Generates everything derived from the contracts into `$OUT_DIR`; the logic lives in the
//! tested `codegen` crate so this file stays a list of outputs.

use std::{env, fs, path::PathBuf};

fn main() {
    if let Err(e) = run() {
        panic!("code generation failed: {e}");
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let out = PathBuf::from(env::var("OUT_DIR")?);
    let bundle = codegen::bundle::load("openapi/openapi.yaml".as_ref())?;
    for f in &bundle.files {
        println!("cargo:rerun-if-changed={}", f.display());
    }
    println!("cargo:rerun-if-changed=graphql/schema.graphql");
    let spec = bundle.openapi()?;
    fs::write(
        out.join("openapi.json"),
        serde_json::to_string_pretty(&bundle.document)?,
    )?;
    let server_cfg = codegen::rest_server::Config {
        auth_type: "crate::auth::Authenticated".into(),
        error_type: "crate::error::AppError".into(),
        caller_type: "crate::auth::Caller".into(),
    };
    fs::write(
        out.join("rest.rs"),
        codegen::rest_server::generate(&spec, &server_cfg)?,
    )?;
    fs::write(
        out.join("client.rs"),
        codegen::rest_client::generate(&spec)?,
    )?;

    let sdl = fs::read_to_string("graphql/schema.graphql")?;
    let gql_cfg = codegen::graphql_server::Config {
        context_type: "crate::auth::RequestContext".into(),
    };
    fs::write(
        out.join("graphql.rs"),
        codegen::graphql_server::generate(&sdl, &gql_cfg)?,
    )?;
    cynic_codegen::register_schema("meshery")
        .from_sdl_file("graphql/schema.graphql")?
        .as_default()?;

    playground_assets(&out.join("playground"))?;

    let docs = out.join("docs");
    fs::create_dir_all(docs.join("rest"))?;
    fs::create_dir_all(docs.join("graphql"))?;
    fs::write(
        docs.join("rest/index.md"),
        codegen::docs::rest_markdown(&spec)?,
    )?;
    fs::write(
        docs.join("rest/index.html"),
        codegen::docs::rest_html(&spec)?,
    )?;
    fs::write(
        docs.join("graphql/index.md"),
        codegen::docs::graphql_markdown(&sdl)?,
    )?;
    fs::write(
        docs.join("graphql/index.html"),
        codegen::docs::graphql_html(&sdl)?,
    )?;
    Ok(())
}

/// The Playground's script and stylesheet, from the `graphql-playground-react` npm package
/// (a registry package, never pasted into the repository). Fetched once per build directory.
fn playground_assets(dir: &std::path::Path) -> Result<(), Box<dyn std::error::Error>> {
    const PKG: &str = "graphql-playground-react@1.7.28";
    if dir.join("middleware.js").exists() && dir.join("index.css").exists() {
        return Ok(());
    }
    fs::create_dir_all(dir)?;
    let run = |cmd: &mut std::process::Command| -> Result<(), Box<dyn std::error::Error>> {
        let status = cmd.status()?;
        if !status.success() {
            return Err(format!("{cmd:?} failed with {status}").into());
        }
        Ok(())
    };
    run(std::process::Command::new("npm")
        .args(["pack", PKG, "--silent", "--pack-destination"])
        .arg(dir))
    .map_err(|e| format!("fetching {PKG} with npm (needed for the offline Playground): {e}"))?;
    let tgz = fs::read_dir(dir)?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "tgz"))
        .ok_or("npm pack produced no tarball")?;
    run(std::process::Command::new("tar")
        .arg("xzf")
        .arg(&tgz)
        .arg("-C")
        .arg(dir)
        .args([
            "package/build/static/js/middleware.js",
            "package/build/static/css/index.css",
        ]))?;
    fs::rename(
        dir.join("package/build/static/js/middleware.js"),
        dir.join("middleware.js"),
    )?;
    fs::rename(
        dir.join("package/build/static/css/index.css"),
        dir.join("index.css"),
    )?;
    fs::remove_file(tgz)?;
    Ok(())
}
