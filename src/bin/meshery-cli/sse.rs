//! Server-sent events from a byte stream. Progenitor hands a `text/event-stream` response over
//! as raw bytes (chunks split anywhere, even inside a UTF-8 character), so the CLI reassembles
//! lines and events itself. Only `data:` matters here; `event:`, `id:`, `retry:` and comments
//! are skipped.

/// Collects bytes and yields each complete event's data (its `data:` lines joined by `\n`).
#[derive(Default)]
pub struct SseParser {
    /// Bytes of the current, not yet terminated line.
    line: Vec<u8>,
    /// Data lines of the current event.
    data: Vec<String>,
}

impl SseParser {
    /// Feeds a chunk; returns the data of every event the chunk completes.
    pub fn push(&mut self, chunk: &[u8]) -> Vec<String> {
        let mut events = Vec::new();
        for &b in chunk {
            if b == b'\n' {
                let mut line = std::mem::take(&mut self.line);
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                if let Some(data) = self.line_done(&line) {
                    events.push(data);
                }
            } else {
                self.line.push(b);
            }
        }
        events
    }

    /// The stream ended: an event the server did not terminate with a blank line still counts
    /// (the spec drops it, but a CLI is better off showing what arrived).
    pub fn finish(mut self) -> Option<String> {
        let line = std::mem::take(&mut self.line);
        if !line.is_empty() {
            self.line_done(&line);
        }
        self.dispatch()
    }

    fn line_done(&mut self, line: &[u8]) -> Option<String> {
        if line.is_empty() {
            return self.dispatch();
        }
        let line = String::from_utf8_lossy(line);
        let (field, value) = match line.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (line.as_ref(), ""),
        };
        if field == "data" {
            self.data.push(value.to_string());
        }
        None
    }

    fn dispatch(&mut self) -> Option<String> {
        if self.data.is_empty() {
            return None;
        }
        Some(std::mem::take(&mut self.data).join("\n"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_split_across_chunks_are_reassembled() {
        let mut p = SseParser::default();
        assert!(p.push(b"data: {\"a\":").is_empty());
        assert!(p.push(b"1}\n").is_empty(), "no blank line yet");
        assert_eq!(p.push(b"\ndata: 2\n\n"), vec!["{\"a\":1}", "2"]);
    }

    #[test]
    fn crlf_comments_and_other_fields_are_handled() {
        let mut p = SseParser::default();
        let got = p.push(b": keep-alive\r\n\r\nevent: x\r\nid: 7\r\ndata:no-space\r\n\r\n");
        assert_eq!(got, vec!["no-space"], "a comment alone is no event");
    }

    #[test]
    fn multi_line_data_is_joined_with_newlines() {
        let mut p = SseParser::default();
        assert_eq!(p.push(b"data: a\ndata: b\n\n"), vec!["a\nb"]);
    }

    #[test]
    fn utf8_split_inside_a_character_survives() {
        let mut p = SseParser::default();
        let bytes = "data: é\n\n".as_bytes();
        assert!(p.push(&bytes[..7]).is_empty());
        assert_eq!(p.push(&bytes[7..]), vec!["é"]);
    }

    #[test]
    fn an_unterminated_last_event_is_kept() {
        let mut p = SseParser::default();
        assert!(p.push(b"data: last").is_empty());
        assert_eq!(p.finish().as_deref(), Some("last"));
        assert_eq!(SseParser::default().finish(), None);
    }
}
