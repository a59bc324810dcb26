//! `meshery-cli`, the real binary, against a real server and a real load-test target: the
//! proof that a client written only against the generated SDK works, SSE runs included.

use crate::common::*;
use meshery_server::client::types;
use poem::listener::{Acceptor, Listener, TcpListener};
use poem::{Route, get, handler};
use std::process::Output;

#[handler]
fn ok() -> &'static str {
    "ok"
}

/// A target for load tests that answers 200 to `GET /`; returns its URL.
async fn target() -> String {
    let acceptor = TcpListener::bind("127.0.0.1:0")
        .into_acceptor()
        .await
        .unwrap();
    let addr = acceptor.local_addr()[0].as_socket_addr().cloned().unwrap();
    tokio::spawn(poem::Server::new_with_acceptor(acceptor).run(Route::new().at("/", get(ok))));
    format!("http://{addr}/")
}

/// Runs `meshery-cli` with `args` and the given environment (the caller's own MESHERY_*
/// variables are removed, so they cannot leak into a test).
async fn cli_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    // The binary blocks; the server under test keeps running on the test's runtime meanwhile.
    tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_meshery-cli"))
            .args(&args)
            .env_remove("MESHERY_SERVER")
            .env_remove("MESHERY_TOKEN")
            .envs(env)
            .output()
            .expect("meshery-cli starts")
    })
    .await
    .unwrap()
}

async fn cli(args: &[&str]) -> Output {
    cli_env(args, &[]).await
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Asserts exit code 0 and returns stdout.
fn succeeded(o: &Output) -> String {
    assert!(
        o.status.success(),
        "meshery-cli failed ({}):\n{}\n{}",
        o.status,
        stdout(o),
        stderr(o)
    );
    stdout(o)
}

/// The id on the summary's `result id` line.
fn result_id(summary: &str) -> uuid::Uuid {
    let line = summary
        .lines()
        .find(|l| l.starts_with("result id"))
        .unwrap_or_else(|| panic!("no result id in:\n{summary}"));
    line["result id".len()..].trim().parse().unwrap()
}

async fn profile(s: &TestServer, target: &str) -> uuid::Uuid {
    let input: types::PerformanceProfileInput = serde_json::from_value(serde_json::json!({
        "name": "cli profile", "endpoints": [target], "duration": "1s", "qps": 50
    }))
    .unwrap();
    let p = s
        .client()
        .save_user_performance_profile()
        .body(input)
        .send()
        .await
        .unwrap();
    p.into_inner().id
}

#[tokio::test]
async fn a_profile_run_prints_its_summary_and_the_result_is_listed() {
    let s = server().await;
    let id = profile(&s, &target().await).await;
    let id_arg = id.to_string();

    let run = cli(&[
        "--server",
        &s.base,
        "perf",
        "run",
        "--profile",
        &id_arg,
        "--name",
        "cli-test",
    ])
    .await;
    let out = succeeded(&run);
    for expected in [
        "LATENCY (ms)",
        "p50",
        "p99",
        "requests",
        "req/s",
        "status codes  200: ",
    ] {
        assert!(out.contains(expected), "no `{expected}` in:\n{out}");
    }
    let result = result_id(&out);
    // Not a terminal: progress comes as plain lines on stderr, no carriage returns.
    let err = stderr(&run);
    assert!(err.contains(&format!("run {result}")), "{err}");
    assert!(err.contains("req/s") && !err.contains('\r'), "{err}");

    // The JSON page is the server's, and it holds the run.
    let listed = cli(&[
        "--server",
        &s.base,
        "perf",
        "results",
        "--profile",
        &id_arg,
        "--json",
    ])
    .await;
    let page: types::PerformanceResultPage = serde_json::from_str(&succeeded(&listed)).unwrap();
    assert_eq!(page.total_count, 1);
    assert_eq!(page.results[0].meshery_id, result);
    assert_eq!(page.results[0].name, "cli-test");
    assert_eq!(page.results[0].performance_profile, Some(id));

    // The table, with the server taken from the environment this time.
    let table = cli_env(&["perf", "results"], &[("MESHERY_SERVER", &s.base)]).await;
    let table = succeeded(&table);
    let row = table
        .lines()
        .find(|l| l.starts_with("cli-test"))
        .unwrap_or_else(|| panic!("no row for the run in:\n{table}"));
    assert!(row.ends_with(&result.to_string()), "{row}");
    assert!(table.ends_with("page 1 of 1 (1 result)\n"), "{table}");

    // Nothing started after the run finished.
    let later = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
    let none = cli(&[
        "--server", &s.base, "perf", "results", "--from", &later, "--json",
    ])
    .await;
    let none: types::PerformanceResultPage = serde_json::from_str(&succeeded(&none)).unwrap();
    assert_eq!(none.total_count, 0);

    let profiles = succeeded(&cli(&["--server", &s.base, "perf", "profiles"]).await);
    assert!(
        profiles.contains("cli profile") && profiles.contains(&id_arg),
        "{profiles}"
    );
    s.stop().await;
}

#[tokio::test]
async fn a_missing_profile_exits_1_with_the_servers_error() {
    let s = server().await;
    let missing = uuid::Uuid::new_v4();
    // What the server says about that id, through the SDK.
    let expected = match s
        .client()
        .get_user_performance_profile()
        .id(missing)
        .send()
        .await
    {
        Err(meshery_server::client::Error::ErrorResponse(e)) => e.into_inner(),
        other => panic!("expected the server's error, got {other:?}"),
    };
    let missing = missing.to_string();
    let run = cli(&[
        "--server",
        &s.base,
        "perf",
        "run",
        "--profile",
        &missing,
        "--name",
        "x",
    ])
    .await;
    assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
    let err = stderr(&run);
    assert!(
        err.starts_with(&format!("error: {} ({})\n", expected.error, expected.code)),
        "{err}"
    );
    assert!(err.contains(&expected.suggested_remediation), "{err}");
    assert!(stdout(&run).is_empty());
    s.stop().await;
}

#[tokio::test]
async fn an_smp_yaml_file_runs_and_can_join_a_profile() {
    let s = server().await;
    let target = target().await;
    let path = s.dir.join("smp.yaml");
    std::fs::write(
        &path,
        format!(
            "test:\n  name: smp-cli\n  duration: 1s\n  clients:\n    - endpoint_urls: [\"{target}\"]\n      rps: 50\n      connections: 1\nmesh:\n  type: ISTIO\n"
        ),
    )
    .unwrap();
    let file = path.to_str().unwrap();
    let out = succeeded(&cli(&["--server", &s.base, "perf", "run", "--file", file]).await);
    let first = result_id(&out);
    assert!(
        out.contains("p50") && out.contains("status codes  200: "),
        "{out}"
    );

    // The same file, renamed on the command line and stored under a profile.
    let id = profile(&s, &target).await.to_string();
    let out = cli(&[
        "--server",
        &s.base,
        "perf",
        "run",
        "--file",
        file,
        "--profile",
        &id,
        "--name",
        "joined",
    ])
    .await;
    let second = result_id(&succeeded(&out));

    let all = cli(&["--server", &s.base, "perf", "results", "--json"]).await;
    let all: types::PerformanceResultPage = serde_json::from_str(&succeeded(&all)).unwrap();
    let by_id = |id| all.results.iter().find(|r| r.meshery_id == id).unwrap();
    assert_eq!(by_id(first).name, "smp-cli");
    assert_eq!(by_id(first).mesh, "ISTIO");
    assert_eq!(by_id(first).performance_profile, None);
    assert_eq!(by_id(second).name, "joined");
    assert_eq!(by_id(second).performance_profile, Some(id.parse().unwrap()));
    s.stop().await;
}

#[tokio::test]
async fn the_provider_flag_reaches_the_server() {
    let s = server().await;
    let out = cli(&[
        "--server",
        &s.base,
        "--provider",
        "Nowhere",
        "perf",
        "profiles",
    ])
    .await;
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.starts_with("error: ") && err.contains("Nowhere"),
        "{err}"
    );
    // The server's own default provider works.
    succeeded(
        &cli(&[
            "--server",
            &s.base,
            "--provider",
            "Local",
            "perf",
            "profiles",
        ])
        .await,
    );
    s.stop().await;
}

#[tokio::test]
async fn the_token_flag_and_variable_authenticate_with_a_remote_provider() {
    use meshery_server::reference_provider::{self, Config};
    let key = include_bytes!("../fixtures/jwt-test-key.pem").to_vec();
    let provider = reference_provider::start(Config::new(vec![key]), "127.0.0.1:0")
        .await
        .unwrap();
    let base = provider.base_url.clone();
    let s = server_with(|c| {
        c.provider = base.trim_start_matches("http://").to_string();
        c.provider_base_urls = vec![base.clone()];
    })
    .await;
    let token = provider.control.issue_token().access_token;

    let anonymous = cli(&["--server", &s.base, "perf", "profiles"]).await;
    assert_eq!(anonymous.status.code(), Some(1));
    // The server's 401, not a failure to connect.
    let err = stderr(&anonymous);
    assert!(
        err.starts_with("error: ") && err.contains("(meshery-server-"),
        "{err}"
    );
    succeeded(&cli(&["--server", &s.base, "--token", &token, "perf", "profiles"]).await);
    succeeded(
        &cli_env(
            &["--server", &s.base, "perf", "results"],
            &[("MESHERY_TOKEN", &token)],
        )
        .await,
    );
    s.stop().await;
}

#[tokio::test]
async fn an_unreachable_server_is_named() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let out = cli(&["--server", &url, "perf", "results"]).await;
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.starts_with(&format!("error: cannot reach the server at {url}: ")),
        "{err}"
    );
}
