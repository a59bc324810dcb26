//! Cron expressions for schedules, parsed by hand (the grammar is small, and a crate would
//! bring its own dialect: names, `L`, `W`, `?`, years, each with its own edge cases).
//!
//! Five fields (minute hour day-of-month month day-of-week) or six with seconds first, all in
//! UTC. Each field is a comma-separated list of `*`, `n`, `a-b`, `*/n` or `a-b/n`. Day-of-week
//! takes 0–7, where 0 and 7 are both Sunday.
//!
//! Day-of-month and day-of-week follow standard (Vixie) cron: when both are restricted, a day
//! matches if *either* matches; when one of them starts with `*` (including `*/n`), both must
//! match, which in practice means only the other one counts.
//!
//! An expression whose day-of-month never occurs in its months (`0 0 31 2 *`) is refused at
//! parse time, so every accepted expression has a next tick; [`Cron::next_after`] still returns
//! an `Option` because it searches a bounded window.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Timelike, Utc};
use std::fmt;

/// A parsed expression. Each field is a bit set of the values it allows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cron {
    seconds: u64,
    minutes: u64,
    hours: u64,
    days_of_month: u64,
    months: u64,
    /// Bits 0–6, Sunday = 0 (7 is folded onto 0).
    days_of_week: u64,
    /// The field starts with `*`: it does not restrict days, for the OR rule.
    dom_star: bool,
    dow_star: bool,
}

/// Why an expression was refused; the message names the field at fault.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CronError(pub String);

impl fmt::Display for CronError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One field's name and allowed values.
struct Field {
    name: &'static str,
    min: u32,
    max: u32,
}

const SECOND: Field = Field {
    name: "second",
    min: 0,
    max: 59,
};
const MINUTE: Field = Field {
    name: "minute",
    min: 0,
    max: 59,
};
const HOUR: Field = Field {
    name: "hour",
    min: 0,
    max: 23,
};
const DAY_OF_MONTH: Field = Field {
    name: "day-of-month",
    min: 1,
    max: 31,
};
const MONTH: Field = Field {
    name: "month",
    min: 1,
    max: 12,
};
const DAY_OF_WEEK: Field = Field {
    name: "day-of-week",
    min: 0,
    max: 7,
};

/// How far ahead [`Cron::next_after`] looks. The longest gap an accepted expression can have
/// is February 29 alone: eight years across a century that is not a leap year (2096 → 2104).
const HORIZON_DAYS: i64 = 366 * 9;

impl Cron {
    pub fn parse(expr: &str) -> Result<Self, CronError> {
        let parts: Vec<&str> = expr.split_whitespace().collect();
        let (seconds, rest) = match parts.len() {
            5 => (1u64, &parts[..]),
            6 => (parse_field(parts[0], &SECOND)?, &parts[1..]),
            n => {
                return Err(CronError(format!(
                    "cronExpression must have 5 fields (minute hour day-of-month month day-of-week) or 6 (second first), not {n}"
                )));
            }
        };
        let dow = parse_field(rest[4], &DAY_OF_WEEK)?;
        let cron = Cron {
            seconds,
            minutes: parse_field(rest[0], &MINUTE)?,
            hours: parse_field(rest[1], &HOUR)?,
            days_of_month: parse_field(rest[2], &DAY_OF_MONTH)?,
            months: parse_field(rest[3], &MONTH)?,
            // Sunday is both 0 and 7.
            days_of_week: (dow | (dow >> 7)) & 0x7f,
            dom_star: rest[2].starts_with('*'),
            dow_star: rest[4].starts_with('*'),
        };
        if !cron.dom_star && cron.dow_star && !cron.some_day_exists() {
            return Err(CronError(format!(
                "cronExpression never fires: no day-of-month in `{}` occurs in month `{}`",
                rest[2], rest[3]
            )));
        }
        Ok(cron)
    }

    /// Whether one of the chosen days of the month occurs in one of the chosen months
    /// (February counted with 29 days).
    fn some_day_exists(&self) -> bool {
        (1..=12u32)
            .filter(|m| has(self.months, *m))
            .any(|m| (1..=days_in_month_max(m)).any(|d| has(self.days_of_month, d)))
    }

    fn day_matches(&self, date: NaiveDate) -> bool {
        let dom = has(self.days_of_month, date.day());
        let dow = has(self.days_of_week, date.weekday().num_days_from_sunday());
        if self.dom_star || self.dow_star {
            dom && dow
        } else {
            dom || dow
        }
    }

    /// The first tick strictly after `t` (ticks fall on whole seconds), or `None` when there is
    /// none within the search window.
    pub fn next_after(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let start = t.with_nanosecond(0)? + Duration::seconds(1);
        let mut date = start.date_naive();
        let mut from = start.time();
        let last = date + Duration::days(HORIZON_DAYS);
        while date <= last {
            if !has(self.months, date.month()) {
                // Jump to the first of the next month.
                let (y, m) = if date.month() == 12 {
                    (date.year() + 1, 1)
                } else {
                    (date.year(), date.month() + 1)
                };
                date = NaiveDate::from_ymd_opt(y, m, 1)?;
                from = NaiveTime::MIN;
                continue;
            }
            if self.day_matches(date)
                && let Some(time) = self.first_time_from(from)
            {
                return Some(Utc.from_utc_datetime(&date.and_time(time)));
            }
            date = date.succ_opt()?;
            from = NaiveTime::MIN;
        }
        None
    }

    /// The first allowed time of day at or after `from`.
    fn first_time_from(&self, from: NaiveTime) -> Option<NaiveTime> {
        for h in (from.hour()..24).filter(|h| has(self.hours, *h)) {
            let same_hour = h == from.hour();
            let m0 = if same_hour { from.minute() } else { 0 };
            for m in (m0..60).filter(|m| has(self.minutes, *m)) {
                let s0 = if same_hour && m == from.minute() {
                    from.second()
                } else {
                    0
                };
                if let Some(s) = (s0..60).find(|s| has(self.seconds, *s)) {
                    return NaiveTime::from_hms_opt(h, m, s);
                }
            }
        }
        None
    }
}

fn has(set: u64, v: u32) -> bool {
    set & (1 << v) != 0
}

fn days_in_month_max(month: u32) -> u32 {
    match month {
        2 => 29,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// One field: a comma-separated list of `*`, `n`, `a-b`, `*/n`, `a-b/n`.
fn parse_field(text: &str, f: &Field) -> Result<u64, CronError> {
    let bad = |why: String| {
        CronError(format!(
            "cronExpression: the {} field `{text}` {why}",
            f.name
        ))
    };
    let mut set = 0u64;
    for item in text.split(',') {
        let (range, step) = match item.split_once('/') {
            Some((r, s)) => {
                let step = number(s)
                    .ok_or_else(|| bad(format!("has a step `{s}` that is not a number")))?;
                if step == 0 {
                    return Err(bad("has a step of 0".into()));
                }
                (r, Some(step))
            }
            None => (item, None),
        };
        let (lo, hi) = if range == "*" {
            (f.min, f.max)
        } else if let Some((a, b)) = range.split_once('-') {
            let lo = value(a, f).map_err(&bad)?;
            let hi = value(b, f).map_err(&bad)?;
            if lo > hi {
                return Err(bad(format!(
                    "has a range `{range}` that ends before it starts"
                )));
            }
            (lo, hi)
        } else {
            if step.is_some() {
                return Err(bad(format!(
                    "has a step after `{range}`: steps go after `*` or a range `a-b`"
                )));
            }
            let v = value(range, f).map_err(&bad)?;
            (v, v)
        };
        let step = step.unwrap_or(1);
        set |= (lo..=hi)
            .step_by(step as usize)
            .fold(0, |s, v| s | (1 << v));
    }
    Ok(set)
}

fn number(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 3 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn value(s: &str, f: &Field) -> Result<u32, String> {
    let v = number(s).ok_or_else(|| {
        if s.is_empty() {
            "has an empty value".to_string()
        } else {
            format!("has `{s}`, which is not a number")
        }
    })?;
    if v < f.min || v > f.max {
        return Err(format!("has {v}, outside {}–{}", f.min, f.max));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn next(expr: &str, after: &str) -> Option<String> {
        Cron::parse(expr)
            .unwrap()
            .next_after(at(after))
            .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
    }

    fn err(expr: &str) -> String {
        Cron::parse(expr).unwrap_err().0
    }

    #[test]
    fn every_minute_and_every_second() {
        assert_eq!(
            next("* * * * *", "2024-01-01T10:00:00Z").unwrap(),
            "2024-01-01T10:01:00Z"
        );
        assert_eq!(
            next("* * * * *", "2024-01-01T10:00:59.9Z").unwrap(),
            "2024-01-01T10:01:00Z"
        );
        assert_eq!(
            next("* * * * * *", "2024-01-01T10:00:00.5Z").unwrap(),
            "2024-01-01T10:00:01Z"
        );
        assert_eq!(
            next("*/1 * * * * *", "2024-12-31T23:59:59Z").unwrap(),
            "2025-01-01T00:00:00Z"
        );
    }

    #[test]
    fn strictly_after() {
        assert_eq!(
            next("30 * * * *", "2024-01-01T10:30:00Z").unwrap(),
            "2024-01-01T11:30:00Z"
        );
        assert_eq!(
            next("30 * * * *", "2024-01-01T10:29:59Z").unwrap(),
            "2024-01-01T10:30:00Z"
        );
    }

    #[test]
    fn lists_ranges_and_steps() {
        assert_eq!(
            next("0,15,45 * * * *", "2024-01-01T10:16:00Z").unwrap(),
            "2024-01-01T10:45:00Z"
        );
        assert_eq!(
            next("0 9-17 * * *", "2024-01-01T17:00:00Z").unwrap(),
            "2024-01-02T09:00:00Z"
        );
        assert_eq!(
            next("*/15 * * * *", "2024-01-01T10:16:00Z").unwrap(),
            "2024-01-01T10:30:00Z"
        );
        assert_eq!(
            next("10-50/20 * * * *", "2024-01-01T10:31:00Z").unwrap(),
            "2024-01-01T10:50:00Z"
        );
        assert_eq!(
            next("10-50/20 * * * *", "2024-01-01T10:50:00Z").unwrap(),
            "2024-01-01T11:10:00Z"
        );
        assert_eq!(
            next("0 0 1-5,20 * *", "2024-01-06T00:00:00Z").unwrap(),
            "2024-01-20T00:00:00Z"
        );
        assert_eq!(
            next("*/20 */5 * * * *", "2024-01-01T10:04:40Z").unwrap(),
            "2024-01-01T10:05:00Z"
        );
    }

    #[test]
    fn a_step_larger_than_its_range_keeps_the_start() {
        assert_eq!(
            next("5-10/20 * * * *", "2024-01-01T10:06:00Z").unwrap(),
            "2024-01-01T11:05:00Z"
        );
        assert_eq!(
            next("*/90 * * * * *", "2024-01-01T10:00:00Z").unwrap(),
            "2024-01-01T10:01:00Z"
        );
    }

    #[test]
    fn months_are_skipped_whole() {
        assert_eq!(
            next("0 0 1 3,9 *", "2024-03-01T00:00:00Z").unwrap(),
            "2024-09-01T00:00:00Z"
        );
        assert_eq!(
            next("0 0 * 1 *", "2024-02-01T00:00:00Z").unwrap(),
            "2025-01-01T00:00:00Z"
        );
    }

    #[test]
    fn february_29_waits_for_a_leap_year() {
        assert_eq!(
            next("0 0 29 2 *", "2024-03-01T00:00:00Z").unwrap(),
            "2028-02-29T00:00:00Z"
        );
        // 2100 is not a leap year.
        assert_eq!(
            next("0 0 29 2 *", "2096-03-01T00:00:00Z").unwrap(),
            "2104-02-29T00:00:00Z"
        );
        // Day 31 runs only in 31-day months.
        assert_eq!(
            next("0 0 31 * *", "2024-04-01T00:00:00Z").unwrap(),
            "2024-05-31T00:00:00Z"
        );
    }

    #[test]
    fn sunday_is_0_and_7() {
        // 2024-01-07 is a Sunday.
        assert_eq!(
            next("0 12 * * 7", "2024-01-01T00:00:00Z").unwrap(),
            "2024-01-07T12:00:00Z"
        );
        assert_eq!(
            next("0 12 * * 0", "2024-01-01T00:00:00Z").unwrap(),
            "2024-01-07T12:00:00Z"
        );
        assert_eq!(
            Cron::parse("0 12 * * 7").unwrap(),
            Cron::parse("0 12 * * 0").unwrap()
        );
        // Friday to Sunday, written up to 7.
        assert_eq!(
            next("0 0 * * 5-7", "2024-01-06T00:00:00Z").unwrap(),
            "2024-01-07T00:00:00Z"
        );
        assert_eq!(
            next("0 0 * * 5-7", "2024-01-07T00:00:00Z").unwrap(),
            "2024-01-12T00:00:00Z"
        );
    }

    #[test]
    fn day_of_month_or_day_of_week_when_both_are_restricted() {
        // The 13th or any Friday: Friday 2024-01-05 comes first.
        assert_eq!(
            next("0 0 13 * 5", "2024-01-01T00:00:00Z").unwrap(),
            "2024-01-05T00:00:00Z"
        );
        assert_eq!(
            next("0 0 13 * 5", "2024-01-12T00:00:00Z").unwrap(),
            "2024-01-13T00:00:00Z"
        );
        // A `*/n` day-of-week counts as unrestricted: both must match (the 13th, on a day 0,2,4,6).
        // 2024-01-13 is a Saturday (6).
        assert_eq!(
            next("0 0 13 * */2", "2024-01-01T00:00:00Z").unwrap(),
            "2024-01-13T00:00:00Z"
        );
        // With `*` day-of-month, only the weekday counts.
        assert_eq!(
            next("0 0 * * 1", "2024-01-01T00:00:00Z").unwrap(),
            "2024-01-08T00:00:00Z"
        );
        // February 30 never exists, but the OR rule still fires on Mondays.
        assert_eq!(
            next("0 0 30 2 1", "2024-01-01T00:00:00Z").unwrap(),
            "2024-02-05T00:00:00Z"
        );
    }

    #[test]
    fn impossible_dates_are_refused() {
        assert!(
            err("0 0 31 2 *").contains("never fires"),
            "{}",
            err("0 0 31 2 *")
        );
        assert!(err("0 0 30,31 2 *").contains("never fires"));
        assert!(err("0 0 31 4,6,9,11 *").contains("never fires"));
        // One possible month is enough.
        assert!(Cron::parse("0 0 31 2,3 *").is_ok());
    }

    #[test]
    fn errors_name_the_field() {
        assert!(err("* * * *").contains("5 fields"));
        assert!(err("* * * * * * *").contains("not 7"));
        assert!(err("60 * * * *").contains("the minute field `60` has 60, outside 0–59"));
        assert!(err("* 24 * * *").contains("hour field"));
        assert!(err("* * 0 * *").contains("day-of-month field"));
        assert!(err("* * * 13 *").contains("month field"));
        assert!(err("* * * * 8").contains("day-of-week field"));
        assert!(err("60 * * * * *").contains("second field"));
        assert!(
            err("* * * * MON").contains("day-of-week field `MON` has `MON`, which is not a number")
        );
        assert!(err("*/0 * * * *").contains("step of 0"));
        assert!(err("*/x * * * *").contains("step `x`"));
        assert!(err("5/10 * * * *").contains("steps go after"));
        assert!(err("10-5 * * * *").contains("ends before it starts"));
        assert!(err("1,,2 * * * *").contains("empty value"));
        assert!(err("- * * * *").contains("empty value"));
        assert!(err("-1 * * * *").contains("minute field"));
        assert!(err("99999999999 * * * *").contains("not a number"));
        assert!(err("").contains("not 0"));
    }
}
