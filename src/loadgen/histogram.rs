//! Recording values (latencies in µs, sizes in bytes) and exporting them in Fortio's
//! `HistogramData` shape.
//!
//! A [`Recorder`] keeps three things per value: an HDR histogram (3 significant digits) for
//! the percentiles, Fortio's fixed buckets for `Data[]` (so the UI's bar chart looks like
//! Fortio's), and exact count/min/max/sum/sum of squares for `Min`, `Max`, `Avg`, `StdDev`.

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

/// Fortio's bucket boundaries (`stats.histogramBucketValues`), in units of the resolution
/// (1 ms for durations, 1 byte for sizes). Bucket `i` is `[B[i], B[i+1])`; the last one is open.
const FORTIO_BUCKETS: [u64; 59] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 16, 18, 20, 25, 30, 35, 40, 45, 50, 60, 70, 80,
    90, 100, 120, 140, 160, 180, 200, 250, 300, 350, 400, 450, 500, 600, 700, 800, 900, 1000, 2000,
    3000, 4000, 5000, 7500, 10000, 20000, 30000, 40000, 50000, 75000, 100000, 200000, 500000,
    1000000,
];

/// The percentiles Fortio reports by default (`-p 50,75,90,99,99.9`).
pub const PERCENTILES: [f64; 5] = [50.0, 75.0, 90.0, 99.0, 99.9];

/// Fortio's `stats.HistogramData`: values are in the exported unit (seconds for durations,
/// bytes for sizes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct HistogramData {
    pub count: u64,
    pub min: f64,
    pub max: f64,
    pub sum: f64,
    pub avg: f64,
    pub std_dev: f64,
    /// Non-empty buckets only; `Percent` is cumulative, as in Fortio.
    pub data: Vec<Bucket>,
    pub percentiles: Vec<Percentile>,
}

/// One bucket of [`HistogramData::data`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Bucket {
    pub start: f64,
    pub end: f64,
    /// Cumulative percentage of values up to and including this bucket.
    pub percent: f64,
    pub count: u64,
}

/// One entry of [`HistogramData::percentiles`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Percentile {
    pub percentile: f64,
    pub value: f64,
}

impl HistogramData {
    /// The value recorded for percentile `p` (e.g. `99.0`), if it was exported.
    pub fn percentile(&self, p: f64) -> Option<f64> {
        self.percentiles
            .iter()
            .find(|x| (x.percentile - p).abs() < 1e-9)
            .map(|x| x.value)
    }

    /// How many values fell in buckets that start at or above `threshold` (exported unit).
    pub fn count_at_least(&self, threshold: f64) -> u64 {
        self.data
            .iter()
            .filter(|b| b.start >= threshold)
            .map(|b| b.count)
            .sum()
    }
}

/// Records raw integer values (µs or bytes).
#[derive(Debug, Clone)]
pub struct Recorder {
    hdr: Histogram<u64>,
    /// Raw units per Fortio bucket unit (1000 µs = 1 ms for durations).
    bucket_unit: u64,
    buckets: [u64; FORTIO_BUCKETS.len()],
    count: u64,
    min: u64,
    max: u64,
    sum: f64,
    sum_sq: f64,
}

impl Recorder {
    /// `highest`: the largest value the HDR histogram resolves (larger values are recorded as
    /// `highest` for percentiles; `Max` and `Sum` stay exact).
    pub fn new(highest: u64, bucket_unit: u64) -> Self {
        Recorder {
            hdr: Histogram::new_with_bounds(1, highest.max(2), 3)
                .expect("valid HDR histogram bounds"),
            bucket_unit: bucket_unit.max(1),
            buckets: [0; FORTIO_BUCKETS.len()],
            count: 0,
            min: u64::MAX,
            max: 0,
            sum: 0.0,
            sum_sq: 0.0,
        }
    }

    /// For latencies in microseconds: up to 60 s at 3 significant digits, 1 ms buckets.
    pub fn latency_us() -> Self {
        Recorder::new(60_000_000, 1_000)
    }

    /// For sizes in bytes: up to 1 GiB, 1 byte buckets.
    pub fn bytes() -> Self {
        Recorder::new(1 << 30, 1)
    }

    pub fn record(&mut self, value: u64) {
        self.record_n(value, 1);
    }

    /// Records `value` `n` times.
    pub fn record_n(&mut self, value: u64, n: u64) {
        if n == 0 {
            return;
        }
        self.hdr.saturating_record_n(value, n);
        let scaled = value / self.bucket_unit;
        let idx = FORTIO_BUCKETS.partition_point(|&b| b <= scaled) - 1;
        self.buckets[idx] += n;
        self.count += n;
        self.min = self.min.min(value);
        self.max = self.max.max(value);
        let v = value as f64;
        let nf = n as f64;
        self.sum += v * nf;
        self.sum_sq += v * v * nf;
    }

    pub fn merge(&mut self, other: &Recorder) {
        if other.count == 0 {
            return;
        }
        self.hdr
            .add(&other.hdr)
            .expect("recorders of the same kind have the same bounds");
        for (a, b) in self.buckets.iter_mut().zip(other.buckets.iter()) {
            *a += b;
        }
        self.count += other.count;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
        self.sum += other.sum;
        self.sum_sq += other.sum_sq;
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    /// The raw value at percentile `p` (0–100), within the exact min and max.
    pub fn value_at_percentile(&self, p: f64) -> u64 {
        if self.count == 0 {
            return 0;
        }
        self.hdr.value_at_percentile(p).clamp(self.min, self.max)
    }

    /// Exports in Fortio's shape, multiplying raw values by `scale` (1e-6 for µs → s).
    pub fn export(&self, scale: f64) -> HistogramData {
        if self.count == 0 {
            return HistogramData {
                count: 0,
                min: 0.0,
                max: 0.0,
                sum: 0.0,
                avg: 0.0,
                std_dev: 0.0,
                data: Vec::new(),
                percentiles: Vec::new(),
            };
        }
        let n = self.count as f64;
        let avg = self.sum / n;
        let variance = (self.sum_sq / n - avg * avg).max(0.0);
        let (min, max) = (self.min as f64 * scale, self.max as f64 * scale);
        let mut data = Vec::new();
        let mut cumulative = 0u64;
        for (i, &count) in self.buckets.iter().enumerate() {
            if count == 0 {
                continue;
            }
            cumulative += count;
            let unit = self.bucket_unit as f64 * scale;
            let start = FORTIO_BUCKETS[i] as f64 * unit;
            let end = FORTIO_BUCKETS.get(i + 1).map_or(max, |&b| b as f64 * unit);
            data.push(Bucket {
                // Fortio clamps the outer buckets to the observed range.
                start: start.max(min),
                end: end.min(max),
                percent: 100.0 * cumulative as f64 / n,
                count,
            });
        }
        let percentiles = PERCENTILES
            .iter()
            .map(|&p| Percentile {
                percentile: p,
                value: self.value_at_percentile(p) as f64 * scale,
            })
            .collect();
        HistogramData {
            count: self.count,
            min,
            max,
            sum: self.sum * scale,
            avg: avg * scale,
            std_dev: variance.sqrt() * scale,
            data,
            percentiles,
        }
    }
}
