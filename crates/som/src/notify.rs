//! Delivery of notifications to one hub subscriber: a FIFO queue drained by one task, so the
//! subscriber hears every notification in the order it was raised (per service order, and in
//! fact overall).
//!
//! A notification is retried until it is delivered or the subscription is deleted (which
//! aborts the task and drops what is queued), waiting [`RetryPolicy::first`] after the first
//! failure and doubling up to [`RetryPolicy::max`]. Retried: connection errors, timeouts,
//! `5xx`, `408` and `429`. Any `2xx` is delivered. Any other `4xx` means the listener refuses
//! this notification (e.g. it has no such listener path): it is logged and dropped, so one
//! notification the subscriber will never take cannot block the ones after it.

use reqwest::StatusCode;
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// How delivery is retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The wait after the first failed attempt.
    pub first: Duration,
    /// The longest wait between two attempts.
    pub max: Duration,
    /// How long one attempt may take.
    pub attempt_timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            first: Duration::from_millis(100),
            max: Duration::from_secs(5),
            attempt_timeout: Duration::from_secs(5),
        }
    }
}

impl RetryPolicy {
    /// The wait after `previous` (doubling, capped at [`RetryPolicy::max`]).
    pub fn next_wait(&self, previous: Duration) -> Duration {
        previous.saturating_mul(2).min(self.max)
    }
}

/// What an answer means for a notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Delivered,
    Refused,
    Retry,
}

/// The verdict on a listener's HTTP status.
pub fn verdict(status: StatusCode) -> Verdict {
    if status.is_success() {
        Verdict::Delivered
    } else if status.is_client_error()
        && status != StatusCode::REQUEST_TIMEOUT
        && status != StatusCode::TOO_MANY_REQUESTS
    {
        Verdict::Refused
    } else {
        Verdict::Retry
    }
}

/// One notification to one listener URL.
#[derive(Debug, Clone)]
pub(crate) struct Delivery {
    pub url: String,
    pub body: Arc<Value>,
}

/// Starts the delivery task of one subscription.
pub(crate) fn start(
    client: reqwest::Client,
    policy: RetryPolicy,
) -> (mpsc::UnboundedSender<Delivery>, JoinHandle<()>) {
    let (tx, mut rx) = mpsc::unbounded_channel::<Delivery>();
    let task = tokio::spawn(async move {
        while let Some(delivery) = rx.recv().await {
            deliver(&client, &delivery, policy).await;
        }
    });
    (tx, task)
}

async fn deliver(client: &reqwest::Client, delivery: &Delivery, policy: RetryPolicy) {
    let mut wait = policy.first;
    loop {
        let attempt = client
            .post(&delivery.url)
            .timeout(policy.attempt_timeout)
            .json(delivery.body.as_ref())
            .send()
            .await;
        match attempt.map(|r| r.status()) {
            Ok(status) => match verdict(status) {
                Verdict::Delivered => return,
                Verdict::Refused => {
                    tracing::warn!(url = %delivery.url, %status, "listener refused a notification; dropped");
                    return;
                }
                Verdict::Retry => {
                    tracing::debug!(url = %delivery.url, %status, ?wait, "listener not ready; retrying");
                }
            },
            Err(error) => {
                tracing::debug!(url = %delivery.url, %error, ?wait, "listener unreachable; retrying");
            }
        }
        tokio::time::sleep(wait).await;
        wait = policy.next_wait(wait);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_up_to_the_cap() {
        let p = RetryPolicy::default();
        let mut w = p.first;
        let mut seen = vec![w];
        for _ in 0..8 {
            w = p.next_wait(w);
            seen.push(w);
        }
        let ms: Vec<u128> = seen.iter().map(Duration::as_millis).collect();
        assert_eq!(ms, vec![100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000]);
    }

    #[test]
    fn verdicts() {
        let cases = [
            (200, Verdict::Delivered),
            (201, Verdict::Delivered),
            (204, Verdict::Delivered),
            (400, Verdict::Refused),
            (404, Verdict::Refused),
            (408, Verdict::Retry),
            (429, Verdict::Retry),
            (500, Verdict::Retry),
            (503, Verdict::Retry),
            (302, Verdict::Retry),
        ];
        for (code, expected) in cases {
            let status = StatusCode::from_u16(code).unwrap();
            assert_eq!(verdict(status), expected, "{code}");
        }
    }
}
