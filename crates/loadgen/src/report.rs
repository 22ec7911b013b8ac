//! What a run measured: the latency of every successful request, every error by kind, and the
//! throughput, printed for people and as one `result {json}` line for scripts.
//!
//! Percentiles are exact (nearest rank over every sample, kept in microseconds), not
//! estimated: a run of a few hundred thousand requests is a few MiB of samples.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;

/// How many error answers are kept verbatim (truncated) to show what went wrong.
const KEPT_ERRORS: usize = 5;
/// How much of an error body is kept.
const KEPT_BODY: usize = 300;

/// How one request ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A 2xx answer the run accepts, body read in full.
    Ok,
    /// An answer the run refuses (any non-2xx, or a 2xx it did not ask for such as a
    /// replayed create), with the start of its body.
    Refused { kind: String, body: String },
    /// No answer: connection refused or reset, timeout, a body that could not be read.
    Transport(String),
}

impl Outcome {
    pub fn refused(kind: impl Into<String>, body: &str) -> Self {
        let mut body = body.to_owned();
        if body.len() > KEPT_BODY {
            let mut cut = KEPT_BODY;
            while !body.is_char_boundary(cut) {
                cut -= 1;
            }
            body.truncate(cut);
            body.push('…');
        }
        Self::Refused {
            kind: kind.into(),
            body,
        }
    }
}

/// One client's (or the merged run's) samples.
#[derive(Debug, Default, Clone)]
pub struct Recorder {
    /// Latency of each successful request, in microseconds.
    latencies_us: Vec<u32>,
    errors: BTreeMap<String, u64>,
    examples: Vec<String>,
}

impl Recorder {
    pub fn record(&mut self, outcome: Outcome, latency: Duration) {
        match outcome {
            Outcome::Ok => self
                .latencies_us
                .push(u32::try_from(latency.as_micros()).unwrap_or(u32::MAX)),
            Outcome::Refused { kind, body } => {
                if self.examples.len() < KEPT_ERRORS {
                    self.examples.push(format!("{kind}: {body}"));
                }
                *self.errors.entry(kind).or_default() += 1;
            }
            Outcome::Transport(why) => {
                if self.examples.len() < KEPT_ERRORS {
                    self.examples.push(format!("transport: {why}"));
                }
                *self.errors.entry("transport".to_owned()).or_default() += 1;
            }
        }
    }

    pub fn merge(&mut self, other: Recorder) {
        self.latencies_us.extend(other.latencies_us);
        for (kind, n) in other.errors {
            *self.errors.entry(kind).or_default() += n;
        }
        for e in other.examples {
            if self.examples.len() < KEPT_ERRORS {
                self.examples.push(e);
            }
        }
    }

    pub fn ok(&self) -> u64 {
        self.latencies_us.len() as u64
    }

    pub fn errors(&self) -> u64 {
        self.errors.values().sum()
    }

    /// The run's figures, `elapsed` being the measured phase's wall time.
    pub fn summary(mut self, name: &str, clients: usize, elapsed: Duration) -> Summary {
        self.latencies_us.sort_unstable();
        let lat = &self.latencies_us;
        let ms = |us: u32| f64::from(us) / 1000.0;
        let pct = |p: f64| -> f64 {
            if lat.is_empty() {
                return 0.0;
            }
            // Nearest rank: the smallest sample with at least p of all samples at or below it.
            let rank = ((p / 100.0) * lat.len() as f64).ceil() as usize;
            ms(lat[rank.clamp(1, lat.len()) - 1])
        };
        let secs = elapsed.as_secs_f64().max(1e-9);
        let ok = self.ok();
        let errors = self.errors();
        let mean = if lat.is_empty() {
            0.0
        } else {
            lat.iter().map(|&v| f64::from(v)).sum::<f64>() / lat.len() as f64 / 1000.0
        };
        Summary {
            name: name.to_owned(),
            clients,
            seconds: secs,
            ok,
            errors,
            ok_per_sec: ok as f64 / secs,
            mean_ms: mean,
            p50_ms: pct(50.0),
            p90_ms: pct(90.0),
            p99_ms: pct(99.0),
            p999_ms: pct(99.9),
            max_ms: lat.last().copied().map_or(0.0, ms),
            error_kinds: self.errors,
            error_examples: self.examples,
            notes: BTreeMap::new(),
            timed: true,
        }
    }
}

/// A run's figures.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub name: String,
    pub clients: usize,
    pub seconds: f64,
    pub ok: u64,
    pub errors: u64,
    pub ok_per_sec: f64,
    pub mean_ms: f64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub p999_ms: f64,
    pub max_ms: f64,
    pub error_kinds: BTreeMap<String, u64>,
    pub error_examples: Vec<String>,
    /// What else the run learnt (totals, backlog, states...), as text.
    pub notes: BTreeMap<String, String>,
    /// Whether `ok` counts timed requests (else it counts something observed, such as orders
    /// validated, and there are no latencies).
    pub timed: bool,
}

impl Summary {
    pub fn note(&mut self, key: &str, value: impl ToString) {
        self.notes.insert(key.to_owned(), value.to_string());
    }

    /// Prints the report, then the `result {json}` line.
    pub fn print(&self) {
        println!(
            "== {} ({} clients, {:.1} s measured)",
            self.name, self.clients, self.seconds
        );
        println!(
            "   ok {} ({:.0}/s)   errors {}",
            self.ok, self.ok_per_sec, self.errors
        );
        if self.timed {
            println!(
                "   latency ms: mean {:.2}  p50 {:.2}  p90 {:.2}  p99 {:.2}  p99.9 {:.2}  max {:.2}",
                self.mean_ms, self.p50_ms, self.p90_ms, self.p99_ms, self.p999_ms, self.max_ms
            );
        }
        for (kind, n) in &self.error_kinds {
            println!("   ERRORS {kind}: {n}");
        }
        for e in &self.error_examples {
            println!("   e.g. {e}");
        }
        for (k, v) in &self.notes {
            println!("   {k}: {v}");
        }
        match serde_json::to_string(self) {
            Ok(json) => println!("result {json}"),
            Err(e) => println!("result {{\"error\": \"cannot encode the summary: {e}\"}}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let mut r = Recorder::default();
        for ms in 1..=100u64 {
            r.record(Outcome::Ok, Duration::from_millis(ms));
        }
        let s = r.summary("t", 1, Duration::from_secs(1));
        assert_eq!(
            (s.p50_ms, s.p90_ms, s.p99_ms, s.max_ms),
            (50.0, 90.0, 99.0, 100.0)
        );
        assert_eq!(s.ok, 100);
        assert!((s.ok_per_sec - 100.0).abs() < 1e-9);
    }

    #[test]
    fn errors_are_counted_not_timed() {
        let mut a = Recorder::default();
        a.record(Outcome::Ok, Duration::from_millis(5));
        a.record(
            Outcome::refused("HTTP 503", "busy"),
            Duration::from_millis(1),
        );
        let mut b = Recorder::default();
        b.record(Outcome::Transport("reset".into()), Duration::from_millis(1));
        b.record(
            Outcome::refused("HTTP 503", &"x".repeat(1000)),
            Duration::ZERO,
        );
        a.merge(b);
        let s = a.summary("t", 2, Duration::from_secs(1));
        assert_eq!((s.ok, s.errors), (1, 3));
        assert_eq!(s.error_kinds["HTTP 503"], 2);
        assert_eq!(s.error_kinds["transport"], 1);
        assert_eq!(s.p50_ms, 5.0);
        assert!(s.error_examples.iter().all(|e| e.len() < 400));
    }
}
