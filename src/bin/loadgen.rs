//! The load generator of `src/loadgen` as a command, so that it can be benchmarked against
//! other generators (`bench/loadgen-vs-wrk.sh`) and tried by hand:
//!
//! ```text
//! loadgen --url http://127.0.0.1:8080/ -c 32 --qps 0 --duration 10s [--http2] [--json]
//! ```
//!
//! It prints a short summary, or with `--json` the full result in Fortio's shape.

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use meshery_server::loadgen::{self, HttpVersion, LoadSpec, RunResult};

#[derive(Parser)]
#[command(about = "Send HTTP load (meshery-server's in-process load generator)")]
struct Args {
    /// Target URL (http:// or https://).
    #[arg(long)]
    url: String,
    /// Connections: concurrent workers, each with its own TCP connection.
    #[arg(short = 'c', long = "connections", default_value_t = 8)]
    connections: usize,
    /// Requests per second over all connections; 0 = as fast as possible.
    #[arg(long, default_value_t = 0.0)]
    qps: f64,
    /// How long to send, as a Go duration (`10s`, `1m30s`).
    #[arg(long, default_value = "10s", value_parser = loadgen::parse_duration)]
    duration: Duration,
    /// Per-request timeout, as a Go duration.
    #[arg(long, default_value = "3s", value_parser = loadgen::parse_duration)]
    timeout: Duration,
    /// HTTP/2 only: prior knowledge (h2c) on http://, h2 on https://.
    #[arg(long)]
    http2: bool,
    /// Accept any TLS certificate (self-signed targets).
    #[arg(short = 'k', long)]
    insecure: bool,
    /// Tokio worker threads; 0 = one per available core (as restricted by `taskset`).
    /// With one, the runtime is tokio's current-thread scheduler.
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// Print the full result as JSON (Fortio's shape) instead of the summary.
    #[arg(long)]
    json: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let spec = LoadSpec {
        qps: args.qps,
        connections: args.connections,
        duration: args.duration,
        timeout: args.timeout,
        http_version: if args.http2 {
            HttpVersion::Http2
        } else {
            HttpVersion::Http1
        },
        accept_invalid_certs: args.insecure,
        ..LoadSpec::new(args.url)
    };
    let limits = loadgen::Limits {
        max_duration: Duration::MAX,
        max_connections: usize::MAX,
    };
    if let Err(e) = loadgen::validate(&spec, &limits) {
        eprintln!("loadgen: {e}");
        return ExitCode::from(2);
    }
    let threads = match args.threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    // One thread: tokio's current-thread scheduler, which skips the work-stealing machinery
    // (measurably cheaper per request when pinned to one core).
    let mut runtime = if threads == 1 {
        tokio::runtime::Builder::new_current_thread()
    } else {
        let mut builder = tokio::runtime::Builder::new_multi_thread();
        builder.worker_threads(threads);
        builder
    };
    let runtime = match runtime.enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("loadgen: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let cancel = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let result = match runtime.block_on(loadgen::run(spec, |_| {}, cancel)) {
        Ok(result) => result,
        Err(e) => {
            eprintln!("loadgen: {e}");
            return ExitCode::FAILURE;
        }
    };
    if args.json {
        match serde_json::to_string_pretty(&result) {
            Ok(json) => println!("{json}"),
            Err(e) => {
                eprintln!("loadgen: {e}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        print_summary(&result);
    }
    ExitCode::SUCCESS
}

fn print_summary(result: &RunResult) {
    let smp = result.smp();
    let l = &smp.latencies_ms;
    println!(
        "{} {} c={} qps={} for {}",
        result.url,
        if result.protocol.is_empty() {
            "(no response)"
        } else {
            &result.protocol
        },
        result.num_threads,
        result.requested_qps,
        result.requested_duration
    );
    println!(
        "requests {}  errors {}  {:.1} req/s over {:.3} s",
        smp.requests,
        smp.errors,
        result.actual_qps,
        Duration::from_nanos(result.actual_duration).as_secs_f64()
    );
    println!(
        "latency ms: p50 {:.3}  p90 {:.3}  p99 {:.3}  max {:.3}",
        l.p50, l.p90, l.p99, l.max
    );
    let codes: Vec<String> = result
        .ret_codes
        .iter()
        .map(|(code, n)| format!("{code}: {n}"))
        .collect();
    println!("codes: {}", codes.join(", "));
}
