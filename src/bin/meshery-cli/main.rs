//! `meshery-cli`: a small command-line client for the server, written only against the
//! generated REST SDK (`meshery_server::client`). It is useful on its own (run load tests,
//! list results) and it is the proof that the SDK serves a real client, streams included.

mod connection;
mod duration;
mod perf;
mod progress;
mod report;
mod sse;
mod table;

use clap::{Parser, Subcommand};
use connection::Connection;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "meshery-cli",
    version,
    about = "Command-line client for meshery-server"
)]
struct Cli {
    #[command(flatten)]
    connection: Connection,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Performance tests: run them, list results and profiles.
    #[command(subcommand)]
    Perf(perf::PerfCommand),
}

// One thread is plenty: the CLI waits on one request at a time.
#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match connection::connect(&cli.connection) {
        Ok(client) => match cli.command {
            Command::Perf(c) => perf::perf(&client, c).await,
        },
        Err(e) => Err(e),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
