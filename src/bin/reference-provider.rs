//! `reference-provider`: runs the reference remote provider
//! (`meshery_server::reference_provider`) so meshery-server can be tried against a remote
//! provider locally, without an account at a hosted one.

use clap::Parser;
use meshery_server::reference_provider::{self, Config, TestUser};
use std::path::PathBuf;
use std::process::Command;

/// A reference Meshery remote provider, FOR DEVELOPMENT AND TESTS ONLY: every login is
/// approved at once for one configured test user, without any sign-in, and all state
/// (tokens, preferences, events) lives in memory.
#[derive(Parser)]
#[command(name = "reference-provider", version)]
struct Args {
    /// Port to listen on.
    #[arg(long, default_value_t = 9876)]
    port: u16,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// `providerName` in the capabilities.
    #[arg(long, default_value = "Reference")]
    name: String,
    /// RSA private key (PKCS#8 PEM) to sign tokens with; repeat for rotation (the first signs
    /// first). Without any, two throw-away keys are generated with the `openssl` CLI.
    #[arg(long = "key", value_name = "FILE")]
    keys: Vec<PathBuf>,
    /// The test user's email.
    #[arg(long, default_value = "dev@example.com")]
    user_email: String,
    /// The test user's name, "Given Family".
    #[arg(long, default_value = "Dev User")]
    user_name: String,
    /// Access token lifetime, in seconds.
    #[arg(long, default_value_t = 3600)]
    token_ttl_secs: u64,
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    if let Err(e) = run(args).await {
        eprintln!("reference-provider: {e}");
        std::process::exit(1);
    }
}

async fn run(args: Args) -> Result<(), String> {
    let keys = if args.keys.is_empty() {
        eprintln!("no --key given: generating two throw-away RSA keys with openssl");
        vec![generate_key()?, generate_key()?]
    } else {
        args.keys
            .iter()
            .map(|p| std::fs::read(p).map_err(|e| format!("cannot read {}: {e}", p.display())))
            .collect::<Result<_, _>>()?
    };
    let (given, family) = args
        .user_name
        .split_once(' ')
        .unwrap_or((args.user_name.as_str(), ""));
    let mut cfg = Config::new(keys);
    cfg.name = args.name;
    cfg.token_ttl_secs = args.token_ttl_secs;
    cfg.user = TestUser {
        email: args.user_email,
        given_name: given.to_string(),
        family_name: family.trim().to_string(),
        ..TestUser::default()
    };
    let bind = format!("{}:{}", args.host, args.port);
    let running = reference_provider::start(cfg, &bind)
        .await
        .map_err(|e| format!("cannot start on {bind}: {e}"))?;
    // meshery-server registers a remote provider under its base URL's host:port.
    let key = running
        .base_url
        .trim_start_matches("http://")
        .trim_end_matches('/');
    println!("reference provider listening on {}", running.base_url);
    println!("(development and tests only: every login is approved for the test user)");
    println!("registration key (meshery-provider cookie / PROVIDER): {key}");
    println!("run meshery-server against it:");
    println!(
        "  PROVIDER_BASE_URLS={} PROVIDER={key} cargo run --release",
        running.base_url
    );
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| format!("cannot wait for Ctrl-C: {e}"))?;
    running
        .stop()
        .await
        .map_err(|e| format!("server error: {e}"))
}

/// A 2048-bit RSA key in PKCS#8 PEM, from the `openssl` CLI (no RSA key generation in our
/// dependencies, and these keys need no more than throw-away quality).
fn generate_key() -> Result<Vec<u8>, String> {
    let out = Command::new("openssl")
        .args([
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
        ])
        .output()
        .map_err(|e| format!("cannot run openssl (pass --key FILE instead): {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "openssl genpkey failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(out.stdout)
}
