//! The fast path for plain `http://` targets spoken as HTTP/1.1: the exchange written by hand
//! on a `TcpStream`, as wrk does, instead of through hyper's client.
//!
//! Why: at open throttle hyper's client dispatcher (its request channel, a header map and a
//! request built per request, the connection future polled beside the response) cost about
//! 2 µs of CPU per request more than wrk spends in all (`bench/loadgen-vs-wrk.sh`). Here the
//! request is serialized once per run ([`request_bytes`]) and written with one `write_all`;
//! the response is read into a buffer kept by the connection, its head parsed with
//! `httparse` (which hyper uses too), and its body skipped by its framing (`Content-Length`,
//! `Transfer-Encoding: chunked` with trailers, or the end of the connection) without being
//! copied anywhere. HTTPS and HTTP/2 stay on hyper (`transport.rs`).
//!
//! What the response is allowed to be follows RFC 9112: interim (1xx) responses are skipped;
//! a `HEAD` request and 204/304 answers have no body; `Transfer-Encoding` wins over
//! `Content-Length`, and a response with neither ends when the server closes. A malformed
//! head, a bad chunk, an early close or a head larger than [`MAX_HEAD`] is an error (the
//! caller drops the connection and counts code -1).

use std::mem::MaybeUninit;
use std::task::{Context, Poll, Waker};

use hyper::{StatusCode, Version};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::transport::{Failed, Response};

/// The most header lines a response head may have (hyper's client allows 100).
const MAX_HEADERS: usize = 100;
/// The largest response head, and the longest chunk-size or trailer line, accepted.
pub(super) const MAX_HEAD: usize = 64 * 1024;
/// The read buffer's starting size; it grows (up to [`MAX_HEAD`]) only for larger heads.
const BUF_SIZE: usize = 16 * 1024;

/// One keep-alive connection with its read buffer (`buf[start..end]` is read, not yet used).
pub(super) struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    /// False once the connection cannot carry another request: the server said
    /// `Connection: close` (or answered HTTP/1.0 without keep-alive), the body ran to the end
    /// of the connection, or more bytes came than the response had.
    reusable: bool,
}

/// How the body of a response is delimited.
enum Framing {
    Empty,
    Length(u64),
    Chunked,
    UntilClose,
}

/// What the head of a final response says.
struct Head {
    code: u16,
    version: Version,
    header_size: usize,
    framing: Framing,
    keep_alive: bool,
}

/// The request as bytes on the wire, once per run: request line, `Host` (unless the headers
/// have one), the headers as given, `Content-Length` (for a body, and for POST, PUT and PATCH
/// without one). A `Content-Length` or `Transfer-Encoding` among `headers` is left out: the
/// body is always sent whole with its length.
pub(super) fn request_bytes(
    method: &str,
    path: &str,
    host: &str,
    headers: &[(&str, &[u8])],
    body: &[u8],
) -> Vec<u8> {
    let mut out = Vec::with_capacity(128 + body.len());
    out.extend_from_slice(method.as_bytes());
    out.push(b' ');
    out.extend_from_slice(path.as_bytes());
    out.extend_from_slice(b" HTTP/1.1\r\n");
    let mut line = |name: &[u8], value: &[u8]| {
        out.extend_from_slice(name);
        out.extend_from_slice(b": ");
        out.extend_from_slice(value);
        out.extend_from_slice(b"\r\n");
    };
    if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
        line(b"host", host.as_bytes());
    }
    for (name, value) in headers {
        if name.eq_ignore_ascii_case("content-length")
            || name.eq_ignore_ascii_case("transfer-encoding")
        {
            continue;
        }
        line(name.as_bytes(), value);
    }
    if !body.is_empty() || matches!(method, "POST" | "PUT" | "PATCH") {
        line(b"content-length", body.len().to_string().as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
    out
}

impl Conn {
    pub(super) fn new(stream: TcpStream) -> Conn {
        Conn {
            stream,
            buf: vec![0; BUF_SIZE],
            start: 0,
            end: 0,
            reusable: true,
        }
    }

    /// Whether the connection can take another request. Besides what the last response said,
    /// this notices a close by the server (or bytes nobody asked for) that the runtime has
    /// already seen; without a syscall when nothing arrived since the last read.
    pub(super) fn is_open(&mut self) -> bool {
        if !self.reusable {
            return false;
        }
        let mut cx = Context::from_waker(Waker::noop());
        match self.stream.poll_read_ready(&mut cx) {
            Poll::Pending => true,
            Poll::Ready(Err(_)) => false,
            // Readable: an end of stream, a reset or stray bytes, or readiness left from the
            // last read. Only the last keeps the connection usable.
            Poll::Ready(Ok(())) => {
                let mut probe = [0u8; 1];
                matches!(
                    self.stream.try_read(&mut probe),
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock
                )
            }
        }
    }

    /// Sends `request` and reads the whole response. `head_request`: the request's method is
    /// `HEAD` (its response has no body whatever its headers say). An error leaves the
    /// connection unusable.
    pub(super) async fn exchange(
        &mut self,
        request: &[u8],
        head_request: bool,
    ) -> Result<Response, Failed> {
        self.stream.write_all(request).await?;
        let head = loop {
            match self.parse_head(head_request)? {
                Some(head) => break head,
                None => self.fill_more().await?,
            }
        };
        let body_len = match head.framing {
            Framing::Empty => 0,
            Framing::Length(n) => {
                self.skip(n).await?;
                n
            }
            Framing::Chunked => self.chunked().await?,
            Framing::UntilClose => {
                self.reusable = false;
                self.until_close().await?
            }
        };
        if !head.keep_alive || self.start != self.end {
            self.reusable = false;
        }
        Ok(Response {
            code: head.code,
            version: head.version,
            header_size: head.header_size,
            body_len: usize::try_from(body_len).unwrap_or(usize::MAX),
        })
    }

    /// Parses a response head from the buffer, skipping interim (1xx) responses; `None` when
    /// the head is not complete yet.
    fn parse_head(&mut self, head_request: bool) -> Result<Option<Head>, Failed> {
        loop {
            // Uninitialized: filling 100 empty headers per response cost more than parsing.
            let mut headers =
                [const { MaybeUninit::<httparse::Header<'_>>::uninit() }; MAX_HEADERS];
            let mut response = httparse::Response::new(&mut []);
            let len = match httparse::ParserConfig::default().parse_response_with_uninit_headers(
                &mut response,
                &self.buf[self.start..self.end],
                &mut headers,
            )? {
                httparse::Status::Complete(len) => len,
                httparse::Status::Partial => return Ok(None),
            };
            let code = response.code.ok_or(Failed)?;
            if (100..200).contains(&code) {
                // 101 would switch protocols, which was never asked for.
                if code == 101 {
                    return Err(Failed);
                }
                self.start += len;
                continue;
            }
            let http11 = response.version == Some(1);
            let mut keep_alive = http11;
            let mut length: Option<u64> = None;
            let mut transfer_encoding: Option<&[u8]> = None;
            // As the engine has always estimated it: the status line with the canonical
            // reason, then `name: value\r\n` per header.
            let mut header_size = "HTTP/1.1 000 \r\n".len()
                + StatusCode::from_u16(code)
                    .ok()
                    .and_then(|s| s.canonical_reason())
                    .map_or(0, str::len)
                + 2;
            for h in response.headers.iter() {
                header_size += h.name.len() + 2 + h.value.len() + 2;
                if h.name.eq_ignore_ascii_case("content-length") {
                    let n = parse_length(h.value)?;
                    if length.is_some_and(|l| l != n) {
                        return Err(Failed);
                    }
                    length = Some(n);
                } else if h.name.eq_ignore_ascii_case("transfer-encoding") {
                    transfer_encoding = Some(h.value);
                } else if h.name.eq_ignore_ascii_case("connection") {
                    for token in h.value.split(|&b| b == b',') {
                        let token = token.trim_ascii();
                        if token.eq_ignore_ascii_case(b"close") {
                            keep_alive = false;
                        } else if token.eq_ignore_ascii_case(b"keep-alive") && !http11 {
                            keep_alive = true;
                        }
                    }
                }
            }
            let framing = if head_request || code == 204 || code == 304 {
                Framing::Empty
            } else if let Some(te) = transfer_encoding {
                let last = te.rsplit(|&b| b == b',').next().unwrap_or_default();
                if last.trim_ascii().eq_ignore_ascii_case(b"chunked") {
                    Framing::Chunked
                } else {
                    Framing::UntilClose
                }
            } else if let Some(n) = length {
                Framing::Length(n)
            } else {
                Framing::UntilClose
            };
            self.start += len;
            return Ok(Some(Head {
                code,
                version: if http11 {
                    Version::HTTP_11
                } else {
                    Version::HTTP_10
                },
                header_size,
                framing,
                keep_alive,
            }));
        }
    }

    /// Reads more bytes into the buffer (moving what is unused to its front, or growing it up
    /// to [`MAX_HEAD`] when it is full). The end of the connection is an error here.
    async fn fill_more(&mut self) -> Result<(), Failed> {
        if self.start == self.end {
            (self.start, self.end) = (0, 0);
        } else if self.end == self.buf.len() {
            if self.start > 0 {
                self.buf.copy_within(self.start..self.end, 0);
                (self.start, self.end) = (0, self.end - self.start);
            } else if self.buf.len() < MAX_HEAD {
                self.buf.resize((self.buf.len() * 2).min(MAX_HEAD), 0);
            } else {
                return Err(Failed);
            }
        }
        let n = self.stream.read(&mut self.buf[self.end..]).await?;
        if n == 0 {
            return Err(Failed);
        }
        self.end += n;
        Ok(())
    }

    /// Skips `n` body bytes.
    async fn skip(&mut self, mut n: u64) -> Result<(), Failed> {
        loop {
            let buffered = (self.end - self.start) as u64;
            if buffered >= n {
                self.start += n as usize;
                return Ok(());
            }
            n -= buffered;
            self.start = self.end;
            self.fill_more().await?;
        }
    }

    /// Skips a chunked body and its trailers; returns the body's (decoded) length.
    async fn chunked(&mut self) -> Result<u64, Failed> {
        let mut total = 0u64;
        loop {
            let size = loop {
                match httparse::parse_chunk_size(&self.buf[self.start..self.end]) {
                    Ok(httparse::Status::Complete((used, size))) => {
                        self.start += used;
                        break size;
                    }
                    Ok(httparse::Status::Partial) => self.fill_more().await?,
                    Err(_) => return Err(Failed),
                }
            };
            if size == 0 {
                break;
            }
            self.skip(size).await?;
            while self.end - self.start < 2 {
                self.fill_more().await?;
            }
            if self.buf[self.start..self.start + 2] != *b"\r\n" {
                return Err(Failed);
            }
            self.start += 2;
            total = total.saturating_add(size);
        }
        // Trailer lines, if any, then the empty line that ends the body.
        loop {
            let line = loop {
                let unused = &self.buf[self.start..self.end];
                if let Some(i) = unused.windows(2).position(|w| w == b"\r\n") {
                    break i;
                }
                self.fill_more().await?;
            };
            self.start += line + 2;
            if line == 0 {
                return Ok(total);
            }
        }
    }

    /// Reads a body delimited by the end of the connection; returns its length.
    async fn until_close(&mut self) -> Result<u64, Failed> {
        let mut total = (self.end - self.start) as u64;
        (self.start, self.end) = (0, 0);
        loop {
            let n = self.stream.read(&mut self.buf).await?;
            if n == 0 {
                return Ok(total);
            }
            total += n as u64;
        }
    }
}

/// A `Content-Length` value: digits only.
fn parse_length(value: &[u8]) -> Result<u64, Failed> {
    if value.is_empty() || !value.iter().all(u8::is_ascii_digit) {
        return Err(Failed);
    }
    std::str::from_utf8(value)
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or(Failed)
}
