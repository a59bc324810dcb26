//! One worker's connection to the target: for plain `http://` spoken as HTTP/1.1 the
//! hand-written exchange of `h1.rs`; otherwise hyper's low-level client over TCP (plus TLS
//! through native-tls, with ALPN), HTTP/1.1 or HTTP/2, polled by the worker's own task.
//!
//! Why not reqwest: per request, reqwest re-parses the URL, hashes a pool key, clones its
//! connector and client, arms a boxed timeout and hands the request to a separate connection
//! task (a cross-task wake each way). On the benchmark target that came to about 25 µs of CPU
//! per request against wrk's 9 (`bench/loadgen-vs-wrk.sh`). Here a request is a clone of a
//! prepared `http::Request`, the worker polls its connection itself, and one TLS connector (one
//! load of the system CA store) serves all connections; reqwest built one per client.

use std::future::Future;
use std::pin::Pin;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::{http1, http2};
use hyper::header::{ACCEPT, CONTENT_TYPE, COOKIE, HOST, HeaderMap, HeaderName, HeaderValue};
use hyper::{Method, Request, Uri, Version};
use hyper_util::rt::{TokioExecutor, TokioIo};
use reqwest::Url;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

use super::config::{HttpVersion, LoadSpec};
use super::h1;

/// Where and what to send, prepared once per run and shared by all workers.
pub(super) struct Target {
    /// Host name or address as DNS and TLS want it (IPv6 without brackets).
    host: String,
    port: u16,
    /// `Some` for `https://`.
    tls: Option<tokio_native_tls::TlsConnector>,
    version: HttpVersion,
    method: Method,
    /// Origin form (`/path?query`) for HTTP/1.1.
    path: Uri,
    /// Absolute form for HTTP/2 (`:scheme` and `:authority` come from it).
    absolute: Uri,
    /// The spec's headers plus `Host` (HTTP/1.1 only) and `Accept: */*` unless given.
    h1_headers: HeaderMap,
    h2_headers: HeaderMap,
    body: Bytes,
    /// The whole request for the hand-written HTTP/1.1 path (`h1.rs`), when it is used:
    /// `http://` with [`HttpVersion::Http1`].
    raw_request: Option<Vec<u8>>,
}

/// What one exchange gave: status, HTTP version, the estimated size of the response head
/// (as HTTP/1.1 puts it on the wire: status line with the canonical reason, then
/// `name: value` lines) and the body bytes.
pub(super) struct Response {
    pub code: u16,
    pub version: Version,
    pub header_size: usize,
    pub body_len: usize,
}

/// An open connection.
pub(super) enum Connection {
    /// The hand-written HTTP/1.1 exchange.
    Raw(h1::Conn),
    Hyper(HyperConnection),
}

/// A hyper connection: the handle requests are sent on, and the connection's own future,
/// which must be polled for anything to move (the worker polls it while it waits for a
/// response; it completes when the connection closes).
pub(super) struct HyperConnection {
    sender: Sender,
    driver: Pin<Box<dyn Future<Output = ()> + Send>>,
}

enum Sender {
    H1(http1::SendRequest<Full<Bytes>>),
    H2(http2::SendRequest<Full<Bytes>>),
}

/// A failed connect or exchange (counted as a transport error, code -1).
pub(super) struct Failed;

impl<E: std::error::Error> From<E> for Failed {
    fn from(_: E) -> Self {
        Failed
    }
}

impl Target {
    /// Checks and prepares the spec's URL, method, headers, cookies and body; builds the TLS
    /// connector for `https://`.
    pub(super) fn new(spec: &LoadSpec) -> Result<Target, String> {
        let url =
            Url::parse(&spec.url).map_err(|e| format!("url {:?} is invalid: {e}", spec.url))?;
        let https = match url.scheme() {
            "http" => false,
            "https" => true,
            _ => return Err(format!("url {:?} must be http:// or https://", spec.url)),
        };
        let host = match url.host_str() {
            // IPv6 literals come bracketed (`[::1]`); DNS and TLS want them bare.
            Some(h) if !h.is_empty() => h.trim_start_matches('[').trim_end_matches(']').to_string(),
            _ => return Err(format!("url {:?} has no host", spec.url)),
        };
        let port = url.port_or_known_default().unwrap_or(80);
        let absolute: Uri = url
            .as_str()
            .parse()
            .map_err(|e| format!("url {:?} is invalid: {e}", spec.url))?;
        let path: Uri = absolute
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .parse()
            .map_err(|e| format!("url {:?} is invalid: {e}", spec.url))?;
        let method = Method::from_bytes(spec.method.as_bytes())
            .map_err(|_| format!("method {:?} is invalid", spec.method))?;

        let mut headers = HeaderMap::new();
        for (name, value) in &spec.headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| format!("header name {name:?} is invalid"))?;
            let value = HeaderValue::from_str(value)
                .map_err(|_| format!("header {name:?} has an invalid value"))?;
            headers.append(name, value);
        }
        if !spec.cookies.is_empty() {
            let cookie = spec
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            let value =
                HeaderValue::from_str(&cookie).map_err(|_| "cookies are invalid".to_string())?;
            headers.append(COOKIE, value);
        }
        if let Some(ct) = &spec.content_type {
            let value =
                HeaderValue::from_str(ct).map_err(|_| format!("content type {ct:?} is invalid"))?;
            headers.insert(CONTENT_TYPE, value);
        }
        if !headers.contains_key(ACCEPT) {
            headers.insert(ACCEPT, HeaderValue::from_static("*/*"));
        }
        let h2_headers = headers.clone();
        let mut h1_headers = headers;
        // `url.port()` is `None` for the scheme's default port, which Host leaves out.
        let authority = match url.port() {
            Some(p) => format!("{}:{p}", url.host_str().unwrap_or_default()),
            None => url.host_str().unwrap_or_default().to_string(),
        };
        let authority_value = HeaderValue::from_str(&authority)
            .map_err(|_| format!("url {:?} has an invalid host", spec.url))?;
        if !h1_headers.contains_key(HOST) {
            h1_headers.insert(HOST, authority_value);
        }
        let body = spec.body.clone().unwrap_or_default();
        let raw_request = (!https && spec.http_version == HttpVersion::Http1).then(|| {
            let headers: Vec<(&str, &[u8])> = h1_headers
                .iter()
                .map(|(name, value)| (name.as_str(), value.as_bytes()))
                .collect();
            let path = path.path_and_query().map_or("/", |p| p.as_str());
            h1::request_bytes(method.as_str(), path, &authority, &headers, &body)
        });

        let tls = if https {
            let mut builder = native_tls::TlsConnector::builder();
            builder.danger_accept_invalid_certs(spec.accept_invalid_certs);
            builder.request_alpns(match spec.http_version {
                HttpVersion::Http1 => &["h2", "http/1.1"],
                HttpVersion::Http2 => &["h2"],
            });
            let connector = builder
                .build()
                .map_err(|e| format!("cannot set up TLS: {e}"))?;
            Some(connector.into())
        } else {
            None
        };

        Ok(Target {
            host,
            port,
            tls,
            version: spec.http_version,
            method,
            path,
            absolute,
            h1_headers,
            h2_headers,
            body: Bytes::from(body),
            raw_request,
        })
    }

    /// Opens a connection: DNS, TCP (`TCP_NODELAY`), TLS for `https://`, then the HTTP
    /// handshake. HTTP/2 when asked for (prior knowledge on `http://`) or when ALPN chose `h2`.
    pub(super) async fn connect(&self) -> Result<Connection, Failed> {
        let mut stream = None;
        for addr in tokio::net::lookup_host((self.host.as_str(), self.port)).await? {
            if let Ok(s) = TcpStream::connect(addr).await {
                stream = Some(s);
                break;
            }
        }
        let stream = stream.ok_or(Failed)?;
        stream.set_nodelay(true)?;
        if self.raw_request.is_some() {
            return Ok(Connection::Raw(h1::Conn::new(stream)));
        }
        let prior_knowledge = self.version == HttpVersion::Http2;
        match &self.tls {
            None => handshake(stream, prior_knowledge).await,
            Some(tls) => {
                let stream = tls.connect(&self.host, stream).await?;
                let h2 = match stream.get_ref().negotiated_alpn() {
                    Ok(Some(protocol)) => protocol == b"h2",
                    _ => prior_knowledge,
                };
                handshake(stream, h2).await
            }
        }
    }

    /// Sends the request on `conn` and reads the whole response. An error means the
    /// connection is unusable (drop it).
    pub(super) async fn exchange(&self, conn: &mut Connection) -> Result<Response, Failed> {
        match (conn, &self.raw_request) {
            (Connection::Raw(conn), Some(request)) => {
                conn.exchange(request, self.method == Method::HEAD).await
            }
            (Connection::Hyper(conn), _) => self.exchange_hyper(conn).await,
            (Connection::Raw(_), None) => Err(Failed),
        }
    }

    /// The exchange on hyper, polling the connection's future meanwhile.
    async fn exchange_hyper(&self, conn: &mut HyperConnection) -> Result<Response, Failed> {
        let HyperConnection { sender, driver } = conn;
        let exchange = async {
            let response = match sender {
                Sender::H1(s) => {
                    s.ready().await?;
                    s.send_request(self.request(&self.path, &self.h1_headers))
                        .await?
                }
                Sender::H2(s) => {
                    s.ready().await?;
                    s.send_request(self.request(&self.absolute, &self.h2_headers))
                        .await?
                }
            };
            let (parts, mut body) = response.into_parts();
            let mut body_len = 0;
            while let Some(frame) = body.frame().await {
                if let Some(data) = frame?.data_ref() {
                    body_len += data.len();
                }
            }
            // The raw head is not kept; estimate it as HTTP/1.1 would put it on the wire (also
            // for HTTP/2, whose HPACK-compressed head is smaller, so sizes stay comparable).
            let mut header_size =
                "HTTP/1.1 000 \r\n".len() + parts.status.canonical_reason().map_or(0, str::len) + 2;
            for (name, value) in &parts.headers {
                header_size += name.as_str().len() + 2 + value.len() + 2;
            }
            Ok(Response {
                code: parts.status.as_u16(),
                version: parts.version,
                header_size,
                body_len,
            })
        };
        tokio::select! {
            biased;
            r = exchange => r,
            // The connection closed before the response was complete.
            () = driver.as_mut() => Err(Failed),
        }
    }

    fn request(&self, uri: &Uri, headers: &HeaderMap) -> Request<Full<Bytes>> {
        let mut request = Request::new(Full::new(self.body.clone()));
        *request.method_mut() = self.method.clone();
        *request.uri_mut() = uri.clone();
        *request.headers_mut() = headers.clone();
        request
    }
}

impl Connection {
    /// Whether the connection can take another request: false once the server closed it
    /// (e.g. after `Connection: close`).
    pub(super) fn is_open(&mut self) -> bool {
        match self {
            Connection::Raw(conn) => conn.is_open(),
            Connection::Hyper(conn) => conn.is_open(),
        }
    }
}

impl HyperConnection {
    /// False once the server closed the connection, which shows only when its future is
    /// polled.
    fn is_open(&mut self) -> bool {
        let closed = match &self.sender {
            Sender::H1(s) => s.is_closed(),
            Sender::H2(s) => s.is_closed(),
        };
        if closed {
            return false;
        }
        let waker = std::task::Waker::noop();
        let mut cx = std::task::Context::from_waker(waker);
        self.driver.as_mut().poll(&mut cx).is_pending()
    }
}

async fn handshake<T>(io: T, h2: bool) -> Result<Connection, Failed>
where
    T: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let io = TokioIo::new(io);
    if h2 {
        let (sender, conn) = http2::handshake(TokioExecutor::new(), io).await?;
        Ok(Connection::Hyper(HyperConnection {
            sender: Sender::H2(sender),
            driver: Box::pin(async move {
                let _ = conn.await;
            }),
        }))
    } else {
        let (sender, conn) = http1::handshake(io).await?;
        Ok(Connection::Hyper(HyperConnection {
            sender: Sender::H1(sender),
            driver: Box::pin(async move {
                let _ = conn.await;
            }),
        }))
    }
}
