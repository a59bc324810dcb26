//! `--duration 1m30s`: Go duration syntax, as profiles and SMP files write it. A profile run
//! takes whole units (`t` and `dur`), so the CLI turns the text into seconds itself.

/// Whole seconds in a Go-style duration (`30s`, `5m`, `1h`, `1m30s`, `1.5m`).
pub fn parse_seconds(text: &str) -> Result<u64, String> {
    let bad = || format!("`{text}` is not a duration such as 30s, 5m, 1h or 1m30s");
    let mut rest = text.trim();
    if rest.is_empty() {
        return Err(bad());
    }
    let mut total = 0.0_f64;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(bad)?;
        let amount: f64 = rest[..digits].parse().map_err(|_| bad())?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match &rest[..unit_len] {
            "h" => 3600.0,
            "m" => 60.0,
            "s" => 1.0,
            "ms" => 1e-3,
            "us" | "µs" => 1e-6,
            "ns" => 1e-9,
            _ => return Err(bad()),
        };
        total += amount * scale;
        rest = &rest[unit_len..];
    }
    if total.fract().abs() > 1e-9 || total < 1.0 {
        return Err(format!(
            "`{text}` is not a whole number of seconds (at least 1s)"
        ));
    }
    Ok(total.round() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations_become_seconds() {
        assert_eq!(parse_seconds("30s"), Ok(30));
        assert_eq!(parse_seconds("5m"), Ok(300));
        assert_eq!(parse_seconds("1h"), Ok(3600));
        assert_eq!(parse_seconds("1m30s"), Ok(90));
        assert_eq!(parse_seconds("1.5m"), Ok(90));
        assert_eq!(
            parse_seconds("1500ms"),
            Err("`1500ms` is not a whole number of seconds (at least 1s)".into())
        );
    }

    #[test]
    fn other_text_is_refused() {
        for bad in ["", "30", "s", "10x", "1m30", "-5s", "1..2s"] {
            assert!(parse_seconds(bad).is_err(), "{bad:?} was accepted");
        }
    }
}
