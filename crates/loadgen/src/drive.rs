//! The closed loop: `clients` tasks, each sending one request, waiting for the whole answer,
//! and sending the next, until the phase's bound (a deadline or a request count) is reached.
//! A warm-up phase runs first with the same clients' work and its results dropped.
//!
//! Every request gets a sequence number unique over the whole run (warm-up included), which the
//! caller turns into what it sends (a unique `externalId`, the id to read...).

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use tokio::task::JoinSet;

use crate::report::{Outcome, Recorder};

/// The bound of the measured phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Budget {
    For(Duration),
    Requests(u64),
}

/// A run's shape.
#[derive(Debug, Clone, Copy)]
pub struct Load {
    pub clients: usize,
    pub budget: Budget,
    pub warmup: Duration,
}

/// Runs the warm-up, then the measured phase; returns the measured phase's samples and wall
/// time (from its start until its last answer).
pub async fn run<F, Fut>(load: Load, request: F) -> anyhow::Result<(Recorder, Duration)>
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Outcome> + Send + 'static,
{
    let request = Arc::new(request);
    let seq = Arc::new(AtomicU64::new(0));
    if !load.warmup.is_zero() {
        phase(load.clients, Budget::For(load.warmup), &request, &seq).await?;
    }
    let started = Instant::now();
    let recorder = phase(load.clients, load.budget, &request, &seq).await?;
    Ok((recorder, started.elapsed()))
}

async fn phase<F, Fut>(
    clients: usize,
    budget: Budget,
    request: &Arc<F>,
    seq: &Arc<AtomicU64>,
) -> anyhow::Result<Recorder>
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Outcome> + Send + 'static,
{
    let deadline = match budget {
        Budget::For(d) => Some(Instant::now() + d),
        Budget::Requests(_) => None,
    };
    let limit = match budget {
        Budget::Requests(n) => Some(n),
        Budget::For(_) => None,
    };
    let issued = Arc::new(AtomicU64::new(0));
    let mut tasks = JoinSet::new();
    for _ in 0..clients.max(1) {
        let (request, seq, issued) = (Arc::clone(request), Arc::clone(seq), Arc::clone(&issued));
        tasks.spawn(async move {
            let mut recorder = Recorder::default();
            loop {
                if deadline.is_some_and(|d| Instant::now() >= d) {
                    break;
                }
                if limit.is_some_and(|n| issued.fetch_add(1, Ordering::Relaxed) >= n) {
                    break;
                }
                let n = seq.fetch_add(1, Ordering::Relaxed);
                let sent = Instant::now();
                let outcome = request(n).await;
                recorder.record(outcome, sent.elapsed());
            }
            recorder
        });
    }
    let mut all = Recorder::default();
    while let Some(done) = tasks.join_next().await {
        all.merge(done.context("a client task failed")?);
    }
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_request_budget_is_exact_and_sequence_numbers_unique() {
        let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        let load = Load {
            clients: 7,
            budget: Budget::Requests(100),
            warmup: Duration::ZERO,
        };
        let (rec, _) = run(load, move |n| {
            let log = Arc::clone(&log);
            async move {
                log.lock().unwrap().push(n);
                Outcome::Ok
            }
        })
        .await
        .unwrap();
        assert_eq!(rec.ok(), 100);
        let mut seen = seen.lock().unwrap().clone();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), 100);
    }

    #[tokio::test]
    async fn a_duration_budget_stops() {
        let load = Load {
            clients: 3,
            budget: Budget::For(Duration::from_millis(50)),
            warmup: Duration::from_millis(10),
        };
        let (rec, elapsed) = run(load, |_| async {
            tokio::time::sleep(Duration::from_millis(1)).await;
            Outcome::Ok
        })
        .await
        .unwrap();
        assert!(rec.ok() > 0);
        assert!(elapsed < Duration::from_secs(5));
    }
}
