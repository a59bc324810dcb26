//! `meshery-cli perf …`: run load tests and list results and profiles, all through the SDK.

use crate::connection::{CliError, api_error, root_cause};
use crate::duration::parse_seconds;
use crate::progress::Progress;
use crate::report;
use crate::sse::SseParser;
use clap::{ArgGroup, Args, Subcommand, ValueEnum};
use futures::StreamExt;
use meshery_server::client::{Client, ClientInfo, types};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::str::FromStr;

#[derive(Subcommand, Debug)]
pub enum PerfCommand {
    /// Run a load test from a saved profile or an SMP file, following its progress.
    Run(RunArgs),
    /// List stored results, of one profile or of all.
    Results(ResultsArgs),
    /// List saved performance profiles.
    Profiles(ProfilesArgs),
}

#[derive(Args, Debug)]
#[command(group(ArgGroup::new("source").required(true).multiple(true).args(["profile", "file"])))]
pub struct RunArgs {
    /// The profile to run (its UUID). With --file, the profile the result is stored under.
    #[arg(long)]
    pub profile: Option<uuid::Uuid>,
    /// An SMP test configuration (YAML or JSON) to run instead of a profile.
    #[arg(long)]
    pub file: Option<PathBuf>,
    /// Name of this test, stored with the result (with --file, replaces `test.name`).
    #[arg(long, required_unless_present = "file")]
    pub name: Option<String>,
    /// URL to load instead of the profile's first endpoint.
    #[arg(long)]
    pub url: Option<String>,
    /// Target requests per second over all connections (0: as fast as possible).
    #[arg(long)]
    pub qps: Option<f64>,
    /// Concurrent connections.
    #[arg(short = 'c', long = "connections")]
    pub connections: Option<u32>,
    /// How long to run, such as 30s, 5m or 1m30s.
    #[arg(long, conflicts_with_all = ["t", "dur"])]
    pub duration: Option<String>,
    /// How long to run, in units of --dur (seconds without it).
    #[arg(short = 't')]
    pub t: Option<u64>,
    /// Unit of -t.
    #[arg(long, value_enum, requires = "t")]
    pub dur: Option<Unit>,
    /// Load generator recorded with the result.
    #[arg(long, value_enum)]
    pub load_generator: Option<Generator>,
}

#[derive(Args, Debug)]
pub struct ResultsArgs {
    /// Only the results of this profile.
    #[arg(long)]
    pub profile: Option<uuid::Uuid>,
    /// Zero-based page number.
    #[arg(long)]
    pub page: Option<i64>,
    /// Results per page (1 to 100).
    #[arg(long)]
    pub pagesize: Option<std::num::NonZeroU64>,
    /// Only results whose name contains this (case-insensitive).
    #[arg(long)]
    pub search: Option<String>,
    /// Only tests started at or after this time (RFC 3339).
    #[arg(long)]
    pub from: Option<chrono::DateTime<chrono::Utc>>,
    /// Only tests started at or before this time (RFC 3339).
    #[arg(long)]
    pub to: Option<chrono::DateTime<chrono::Utc>>,
    /// Print the page as the server's JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct ProfilesArgs {
    /// Zero-based page number.
    #[arg(long)]
    pub page: Option<i64>,
    /// Profiles per page (1 to 100).
    #[arg(long)]
    pub pagesize: Option<std::num::NonZeroU64>,
    /// Only profiles whose name contains this (case-insensitive).
    #[arg(long)]
    pub search: Option<String>,
    /// Print the page as the server's JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum Unit {
    S,
    M,
    H,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum Generator {
    Fortio,
    Wrk2,
}

impl Unit {
    fn sdk(self) -> types::DurationUnit {
        match self {
            Unit::S => types::DurationUnit::S,
            Unit::M => types::DurationUnit::M,
            Unit::H => types::DurationUnit::H,
        }
    }
    fn suffix(self) -> &'static str {
        match self {
            Unit::S => "s",
            Unit::M => "m",
            Unit::H => "h",
        }
    }
}

impl Generator {
    fn sdk(self) -> types::TestLoadGenerator {
        match self {
            Generator::Fortio => types::TestLoadGenerator::Fortio,
            Generator::Wrk2 => types::TestLoadGenerator::Wrk2,
        }
    }
}

pub async fn perf(client: &Client, command: PerfCommand) -> Result<(), CliError> {
    match command {
        PerfCommand::Run(args) => run(client, args).await,
        PerfCommand::Results(args) => results(client, args).await,
        PerfCommand::Profiles(args) => profiles(client, args).await,
    }
}

/// A flag's value as one of the SDK's checked types. The SDK's builders would check it too,
/// but their message drops the reason ("conversion to `…` failed"); this one keeps it.
fn checked<T: FromStr>(flag: &str, value: &str) -> Result<T, CliError>
where
    T::Err: std::fmt::Display,
{
    value
        .parse()
        .map_err(|e| CliError::Other(format!("--{flag}: {e}")))
}

async fn run(client: &Client, args: RunArgs) -> Result<(), CliError> {
    let server = client.baseurl().to_string();
    let stream = if let Some(file) = &args.file {
        let body = smp_config(file, &args)?;
        client.run_perf_test().body(body).send().await
    } else {
        let id = args
            .profile
            .expect("clap requires --profile without --file");
        let name = args.name.as_deref().expect("clap requires --name");
        let mut b = client
            .run_performance_profile()
            .id(id)
            .name(checked::<types::RunPerformanceProfileName>("name", name)?);
        if let Some(url) = &args.url {
            b = b.url(checked::<types::RunPerformanceProfileUrl>("url", url)?);
        }
        if let Some(qps) = args.qps {
            b = b.qps(qps);
        }
        if let Some(c) = args.connections {
            b = b.c(c);
        }
        if let Some(d) = &args.duration {
            b = b
                .t(parse_seconds(d).map_err(CliError::Other)?)
                .dur(types::DurationUnit::S);
        }
        if let Some(t) = args.t {
            b = b.t(t);
        }
        if let Some(unit) = args.dur {
            b = b.dur(unit.sdk());
        }
        if let Some(g) = args.load_generator {
            b = b.load_generator(g.sdk());
        }
        b.send().await
    };
    let stream = match stream {
        Ok(s) => s.into_inner_stream(),
        Err(e) => return Err(api_error(&server, e).await),
    };
    follow(&server, stream).await
}

/// Reads an SMP file (YAML, of which JSON is a subset) and applies the command line's
/// settings to its first client, which is the one the server runs.
fn smp_config(path: &PathBuf, args: &RunArgs) -> Result<types::SmpTestConfig, CliError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::Other(format!("cannot read {}: {e}", path.display())))?;
    let mut doc: serde_json::Value = serde_yaml::from_str(&text)
        .map_err(|e| CliError::Other(format!("{} is not YAML or JSON: {e}", path.display())))?;
    apply_overrides(&mut doc, args)?;
    serde_json::from_value(doc).map_err(|e| {
        CliError::Other(format!(
            "{} is not an SMP test configuration: {e}",
            path.display()
        ))
    })
}

fn apply_overrides(doc: &mut serde_json::Value, args: &RunArgs) -> Result<(), CliError> {
    use serde_json::{Value, json};
    let not_smp = || CliError::Other("the SMP file has no `test` object".into());
    let test = doc
        .get_mut("test")
        .and_then(Value::as_object_mut)
        .ok_or_else(not_smp)?;
    if let Some(id) = args.profile {
        test.insert("id".into(), json!(id));
    }
    if let Some(name) = &args.name {
        test.insert("name".into(), json!(name));
    }
    if let Some(d) = &args.duration {
        test.insert("duration".into(), json!(d));
    }
    if let Some(t) = args.t {
        let unit = args.dur.unwrap_or(Unit::S).suffix();
        test.insert("duration".into(), json!(format!("{t}{unit}")));
    }
    let client_settings = [
        ("endpoint_urls", args.url.as_ref().map(|u| json!([u]))),
        ("rps", args.qps.map(|q| json!(q))),
        ("connections", args.connections.map(|c| json!(c))),
        (
            "load_generator",
            args.load_generator.map(|g| json!(g.sdk().to_string())),
        ),
    ];
    if client_settings.iter().all(|(_, v)| v.is_none()) {
        return Ok(());
    }
    let clients = test.entry("clients").or_insert_with(|| json!([]));
    let clients = clients
        .as_array_mut()
        .ok_or_else(|| CliError::Other("`test.clients` in the SMP file is not a list".into()))?;
    if clients.is_empty() {
        clients.push(json!({}));
    }
    let first = clients[0].as_object_mut().ok_or_else(|| {
        CliError::Other("`test.clients[0]` in the SMP file is not an object".into())
    })?;
    for (key, value) in client_settings {
        if let Some(v) = value {
            first.insert(key.into(), v);
        }
    }
    Ok(())
}

/// Follows a run's event stream to its end: progress on stderr, the summary on stdout.
async fn follow<S, B>(server: &str, mut body: S) -> Result<(), CliError>
where
    S: futures::Stream<Item = reqwest::Result<B>> + Unpin,
    B: AsRef<[u8]>,
{
    let stderr = std::io::stderr();
    let in_place = stderr.is_terminal();
    let mut progress = Progress::new(stderr, in_place);
    let mut parser = SseParser::default();
    let mut run_id = None;
    loop {
        let events = match body.next().await {
            Some(Ok(chunk)) => parser.push(chunk.as_ref()),
            Some(Err(e)) => {
                progress.finish();
                let still = run_id.map_or(String::new(), |id| {
                    format!(" (the run goes on at the server; its result will be {id})")
                });
                return Err(CliError::Unreachable {
                    server: server.to_string(),
                    cause: format!("connection lost: {}{still}", root_cause(&e)),
                });
            }
            None => {
                let last = std::mem::take(&mut parser).finish();
                if let Some(data) = last
                    && let Some(done) = on_event(&data, &mut progress, &mut run_id)?
                {
                    return done;
                }
                progress.finish();
                return Err(CliError::Other(format!(
                    "the stream from {server} ended before the run did"
                )));
            }
        };
        for data in events {
            if let Some(done) = on_event(&data, &mut progress, &mut run_id)? {
                return done;
            }
        }
    }
}

/// Handles one event; `Some` when the run is over.
fn on_event<W: std::io::Write>(
    data: &str,
    progress: &mut Progress<W>,
    run_id: &mut Option<uuid::Uuid>,
) -> Result<Option<Result<(), CliError>>, CliError> {
    let msg: types::LoadTestResponse = serde_json::from_str(data).map_err(|e| {
        CliError::Other(format!(
            "the server sent an event that is not a LoadTestResponse: {e}"
        ))
    })?;
    match msg.status {
        types::LoadTestStatus::Info => {
            match &msg.progress {
                Some(p) => {
                    if run_id.is_none() {
                        *run_id = Some(p.run_id);
                        progress.message(&format!("run {}", p.run_id));
                    }
                    progress.update(p);
                }
                None => progress.message(&msg.message),
            }
            Ok(None)
        }
        types::LoadTestStatus::Error => {
            progress.finish();
            Ok(Some(Err(CliError::RunFailed(msg.message))))
        }
        types::LoadTestStatus::Success => {
            progress.finish();
            let result = msg.result.ok_or_else(|| {
                CliError::Other("the server reported success without a result".into())
            })?;
            print!("{}", report::summary(&result));
            Ok(Some(Ok(())))
        }
    }
}

async fn results(client: &Client, args: ResultsArgs) -> Result<(), CliError> {
    let server = client.baseurl().to_string();
    // The two list operations take the same query; only the path (and the SDK's name for
    // each parameter's type) differs.
    let page = match args.profile {
        Some(id) => {
            let mut b = client.get_user_performance_profile_results().id(id);
            if let Some(p) = args.page {
                b = b.page(p);
            }
            if let Some(p) = args.pagesize {
                b = b.pagesize(p);
            }
            if let Some(s) = &args.search {
                b = b.search(checked::<types::GetUserPerformanceProfileResultsSearch>(
                    "search", s,
                )?);
            }
            if let Some(t) = args.from {
                b = b.from(t);
            }
            if let Some(t) = args.to {
                b = b.to(t);
            }
            b.send().await
        }
        None => {
            let mut b = client.get_perf_results();
            if let Some(p) = args.page {
                b = b.page(p);
            }
            if let Some(p) = args.pagesize {
                b = b.pagesize(p);
            }
            if let Some(s) = &args.search {
                b = b.search(checked::<types::GetPerfResultsSearch>("search", s)?);
            }
            if let Some(t) = args.from {
                b = b.from(t);
            }
            if let Some(t) = args.to {
                b = b.to(t);
            }
            b.send().await
        }
    };
    let page = match page {
        Ok(p) => p.into_inner(),
        Err(e) => return Err(api_error(&server, e).await),
    };
    if args.json {
        println!("{}", to_json(&page)?);
    } else {
        print!("{}", report::results_table(&page));
    }
    Ok(())
}

async fn profiles(client: &Client, args: ProfilesArgs) -> Result<(), CliError> {
    let server = client.baseurl().to_string();
    let mut b = client.get_performance_profiles();
    if let Some(p) = args.page {
        b = b.page(p);
    }
    if let Some(p) = args.pagesize {
        b = b.pagesize(p);
    }
    if let Some(s) = &args.search {
        b = b.search(checked::<types::GetPerformanceProfilesSearch>("search", s)?);
    }
    let page = match b.send().await {
        Ok(p) => p.into_inner(),
        Err(e) => return Err(api_error(&server, e).await),
    };
    if args.json {
        println!("{}", to_json(&page)?);
    } else {
        print!("{}", report::profiles_table(&page));
    }
    Ok(())
}

fn to_json(v: &impl serde::Serialize) -> Result<String, CliError> {
    serde_json::to_string_pretty(v).map_err(|e| CliError::Other(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Wrap {
        #[command(flatten)]
        run: RunArgs,
    }

    fn args(argv: &[&str]) -> RunArgs {
        Wrap::try_parse_from(std::iter::once("run").chain(argv.iter().copied()))
            .unwrap()
            .run
    }

    #[test]
    fn command_line_settings_replace_the_files() {
        let mut doc = serde_json::json!({
            "test": {"name": "file", "duration": "30s",
                     "clients": [{"endpoint_urls": ["http://a/"], "connections": 2}]}
        });
        let a = args(&[
            "--file",
            "x.yaml",
            "--name",
            "cli",
            "-t",
            "2",
            "--dur",
            "m",
            "--qps",
            "5",
            "--load-generator",
            "wrk2",
        ]);
        apply_overrides(&mut doc, &a).unwrap();
        assert_eq!(
            doc,
            serde_json::json!({
                "test": {"name": "cli", "duration": "2m",
                         "clients": [{"endpoint_urls": ["http://a/"], "connections": 2,
                                      "rps": 5.0, "load_generator": "wrk2"}]}
            })
        );
    }

    #[test]
    fn a_url_makes_a_client_when_the_file_has_none() {
        let mut doc = serde_json::json!({"test": {"name": "n", "duration": "1s"}});
        apply_overrides(&mut doc, &args(&["--file", "f", "--url", "http://b/"])).unwrap();
        assert_eq!(
            doc["test"]["clients"],
            serde_json::json!([{"endpoint_urls": ["http://b/"]}])
        );
    }

    #[test]
    fn the_command_line_needs_a_profile_or_a_file_and_a_name_for_profiles() {
        let parse = |argv: &[&str]| {
            Wrap::try_parse_from(std::iter::once("run").chain(argv.iter().copied())).is_ok()
        };
        assert!(!parse(&["--name", "x"]), "neither --profile nor --file");
        let id = uuid::Uuid::nil().to_string();
        assert!(!parse(&["--profile", &id]), "--profile without --name");
        assert!(parse(&["--profile", &id, "--name", "x"]));
        assert!(parse(&["--file", "f.yaml"]));
        assert!(
            !parse(&["--file", "f", "--duration", "1s", "-t", "1"]),
            "two durations"
        );
        assert!(!parse(&["--file", "f", "--dur", "m"]), "--dur needs -t");
    }
}
