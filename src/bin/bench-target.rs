//! A minimal, fast HTTP target for `bench/loadgen-vs-wrk.sh`: answers every request with
//! `200 ok`, optionally after a fixed delay, on HTTP/1.1 and HTTP/2 with prior knowledge (h2c)
//! on the same port.
//!
//! It is plain hyper on a single-threaded tokio runtime (the benchmark pins it to one core),
//! with no routing, logging or middleware, so that the load generators, not the target, are
//! what the benchmark measures.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::Duration;

use clap::Parser;
use http_body_util::Full;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tokio::net::TcpListener;

#[derive(Parser)]
#[command(about = "Minimal HTTP/1.1 + h2c target for load-generator benchmarks")]
struct Args {
    /// Port to listen on (0 = any free port; the chosen one is printed).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Wait this many milliseconds before answering (tokio's timer: the wait is rounded up to
    /// the next millisecond tick, so expect D to D+1 ms).
    #[arg(long, default_value_t = 0)]
    delay_ms: u64,
}

const BODY: &[u8] = b"ok\n";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(serve(args))
}

async fn serve(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let addr: SocketAddr = format!("{}:{}", args.host, args.port).parse()?;
    let listener = TcpListener::bind(addr).await?;
    let delay = Duration::from_millis(args.delay_ms);
    // The benchmark script waits for this line.
    println!("listening on http://{}", listener.local_addr()?);
    loop {
        let (stream, _) = match listener.accept().await {
            Ok(accepted) => accepted,
            // Out of file descriptors and the like: keep serving the connections we have.
            Err(e) => {
                eprintln!("accept: {e}");
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        tokio::spawn(async move {
            let service = service_fn(move |_req: Request<hyper::body::Incoming>| async move {
                if !delay.is_zero() {
                    tokio::time::sleep(delay).await;
                }
                Ok::<_, Infallible>(Response::new(Full::new(BODY)))
            });
            // Errors here are clients going away mid-request; nothing to report.
            let _ = auto::Builder::new(TokioExecutor::new())
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}
