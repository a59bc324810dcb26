//! The live progress of a run on stderr. On a terminal one line is redrawn in place with `\r`;
//! elsewhere (CI logs, pipes) each update is its own line, since `\r` would pile up there.

use meshery_server::client::types::LoadTestProgress;
use std::io::Write;

/// Width of the bar between the brackets, in characters.
const BAR_WIDTH: usize = 24;

/// One progress line: `[#####-----]  12.0s/30.0s  1234 req  101.2 req/s  0 errors`.
pub fn progress_line(p: &LoadTestProgress) -> String {
    let fraction = if p.duration_seconds > 0.0 {
        (p.elapsed_seconds / p.duration_seconds).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let filled = (fraction * BAR_WIDTH as f64).round() as usize;
    format!(
        "[{}{}] {:>6.1}s/{:.1}s  {} req  {:.1} req/s  {} {}",
        "#".repeat(filled),
        "-".repeat(BAR_WIDTH - filled),
        p.elapsed_seconds,
        p.duration_seconds,
        p.requests,
        p.current_qps,
        p.errors,
        if p.errors == 1 { "error" } else { "errors" },
    )
}

/// Draws progress updates and messages on a writer (stderr in the binary).
pub struct Progress<W: Write> {
    out: W,
    /// Redraw in place (a terminal) or print a line per update.
    in_place: bool,
    /// A bar is on screen and the cursor is still on its line.
    drawn: bool,
}

impl<W: Write> Progress<W> {
    pub fn new(out: W, in_place: bool) -> Self {
        Self {
            out,
            in_place,
            drawn: false,
        }
    }

    pub fn update(&mut self, p: &LoadTestProgress) {
        let line = progress_line(p);
        // Output errors (a closed stderr) must not stop the run; there is nowhere to report them.
        let _ = if self.in_place {
            // `\x1b[K` clears what a longer previous line left behind.
            write!(self.out, "\r{line}\x1b[K")
        } else {
            writeln!(self.out, "{line}")
        };
        let _ = self.out.flush();
        self.drawn = self.in_place;
    }

    /// A message of its own line (the bar, if drawn, moves below it on the next update).
    pub fn message(&mut self, text: &str) {
        self.finish();
        let _ = writeln!(self.out, "{text}");
    }

    /// Ends the bar's line so that what follows starts on a fresh one.
    pub fn finish(&mut self) {
        if self.drawn {
            let _ = writeln!(self.out);
            self.drawn = false;
        }
    }

    #[cfg(test)]
    fn into_inner(self) -> W {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(elapsed: f64, requests: i64, errors: i64) -> LoadTestProgress {
        LoadTestProgress {
            current_qps: 49.96,
            duration_seconds: 30.0,
            elapsed_seconds: elapsed,
            errors,
            requests,
            run_id: uuid::Uuid::nil(),
        }
    }

    #[test]
    fn the_line_shows_the_bar_and_the_counters() {
        assert_eq!(
            progress_line(&at(15.0, 750, 1)),
            "[############------------]   15.0s/30.0s  750 req  50.0 req/s  1 error"
        );
        assert!(progress_line(&at(45.0, 0, 0)).starts_with(&format!("[{}]", "#".repeat(24))));
    }

    #[test]
    fn a_zero_duration_draws_an_empty_bar() {
        let mut p = at(1.0, 0, 2);
        p.duration_seconds = 0.0;
        assert!(progress_line(&p).starts_with(&format!("[{}]", "-".repeat(24))));
        assert!(progress_line(&p).ends_with("2 errors"));
    }

    #[test]
    fn a_terminal_gets_carriage_returns_and_a_final_newline() {
        let mut p = Progress::new(Vec::new(), true);
        p.update(&at(1.0, 50, 0));
        p.update(&at(2.0, 100, 0));
        p.finish();
        let out = String::from_utf8(p.into_inner()).unwrap();
        assert_eq!(out.matches('\r').count(), 2);
        assert_eq!(out.matches('\n').count(), 1, "{out:?}");
        assert!(out.ends_with("\x1b[K\n"));
    }

    #[test]
    fn a_pipe_gets_plain_lines() {
        let mut p = Progress::new(Vec::new(), false);
        p.update(&at(1.0, 50, 0));
        p.message("note");
        p.update(&at(2.0, 100, 0));
        p.finish();
        let out = String::from_utf8(p.into_inner()).unwrap();
        assert!(!out.contains('\r') && !out.contains('\x1b'));
        assert_eq!(out.lines().count(), 3, "{out:?}");
        assert_eq!(out.lines().nth(1), Some("note"));
    }
}
