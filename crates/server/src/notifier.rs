//! The hub notifier: delivers the notifications the store queued (its outbox) to the
//! subscribers' listeners, and retries until they are taken or the subscription is removed.
//!
//! Each due delivery is POSTed as JSON to `{callback}/listener/{eventName}` — e.g.
//! `https://crm.example/api/listener/productOrderStateChangeEvent`, the listener resource TMF622
//! defines on the client side. Any 2xx answer delivers it; anything else (an error status, a
//! refused connection, no answer within [`ATTEMPT_TIMEOUT`]) schedules the next attempt after a
//! delay that doubles per attempt, from `--hub-retry-initial-ms` up to `--hub-retry-max-ms`,
//! with no limit on attempts: a delivery ends only when it succeeds or its subscription is
//! deleted (which deletes what is still owed). Delivery is at least once; each subscriber's
//! due notifications are tried in the order they were raised.
//!
//! The notifier wakes when a commit may have queued something ([`AppState::announce`]) and
//! otherwise polls every `--hub-poll-ms`, so deliveries queued by an earlier run go out too.
//! While no subscription exists ([`crate::subscribers`]) it is not woken and asks nothing.

use chrono::{DateTime, Utc};
use orderdesk_store::central::Delivery;
use orderdesk_tmf::events::EventKind;
use std::collections::BTreeMap;
use std::time::Duration;
use tokio::task::{JoinHandle, JoinSet};

use crate::error::ApiError;
use crate::state::AppState;

/// How long one POST may take.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);

/// How many due deliveries one round takes.
const BATCH: u32 = 200;

/// When to retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub initial: Duration,
    pub max: Duration,
}

impl Backoff {
    /// The delay before the next attempt, after `attempts` failed ones (1 = the first failed).
    pub fn delay(&self, attempts: u32) -> Duration {
        let doublings = attempts.saturating_sub(1).min(32);
        self.initial
            .checked_mul(1u32 << doublings.min(31))
            .unwrap_or(self.max)
            .min(self.max)
    }

    pub fn next_attempt(&self, now: DateTime<Utc>, attempts: u32) -> DateTime<Utc> {
        let delay = chrono::Duration::from_std(self.delay(attempts))
            .unwrap_or_else(|_| chrono::Duration::seconds(300));
        now.checked_add_signed(delay).unwrap_or(now)
    }
}

/// The listener URL of a notification: `{callback}/listener/{eventName}`.
pub fn listener_url(callback: &str, event_type: &str) -> String {
    let event = EventKind::parse(event_type).map_or_else(
        || {
            let mut chars = event_type.chars();
            chars.next().map_or_else(String::new, |c| {
                c.to_ascii_lowercase().to_string() + chars.as_str()
            })
        },
        EventKind::listener_path,
    );
    format!("{}/listener/{event}", callback.trim_end_matches('/'))
}

/// Starts the notifier.
pub fn spawn(state: AppState, backoff: Backoff, poll: Duration) -> JoinHandle<()> {
    tokio::spawn(async move {
        let client = match reqwest::Client::builder().timeout(ATTEMPT_TIMEOUT).build() {
            Ok(client) => client,
            Err(e) => {
                tracing::error!(error = %e, "the hub notifier cannot build its HTTP client");
                return;
            }
        };
        loop {
            // Deliveries exist only for subscriptions: without one there is nothing to ask for.
            if !state.subscribers.any() {
                tokio::select! {
                    () = state.notifier.notified() => {}
                    () = tokio::time::sleep(poll) => {}
                }
                continue;
            }
            match round(&state, &client, backoff).await {
                // A full batch: there may be more due at once.
                Ok(n) if n == BATCH as usize => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "hub notifier round failed"),
            }
            tokio::select! {
                () = state.notifier.notified() => {}
                () = tokio::time::sleep(poll) => {}
            }
        }
    })
}

/// One pass over the due deliveries; returns how many were attempted.
async fn round(
    state: &AppState,
    client: &reqwest::Client,
    backoff: Backoff,
) -> Result<usize, ApiError> {
    let now = state.now();
    let due = state
        .db(move |store| Ok(store.due_deliveries(now, BATCH)?))
        .await?;
    let n = due.len();
    let mut by_subscription: BTreeMap<String, Vec<Delivery>> = BTreeMap::new();
    for d in due {
        by_subscription
            .entry(d.subscription_id.clone())
            .or_default()
            .push(d);
    }
    let mut tasks = JoinSet::new();
    for (_, deliveries) in by_subscription {
        let state = state.clone();
        let client = client.clone();
        tasks.spawn(async move {
            for delivery in deliveries {
                attempt(&state, &client, backoff, delivery).await;
            }
        });
    }
    while tasks.join_next().await.is_some() {}
    Ok(n)
}

async fn attempt(state: &AppState, client: &reqwest::Client, backoff: Backoff, d: Delivery) {
    let url = listener_url(&d.callback, &d.event_type);
    let outcome = client.post(&url).json(&d.payload).send().await;
    let failure = match outcome {
        Ok(response) if response.status().is_success() => None,
        Ok(response) => Some(format!("{url} answered {}", response.status())),
        Err(e) => Some(format!("{url}: {e}")),
    };
    let now = state.now();
    let id = d.id;
    let result = match failure {
        None => {
            state
                .db(move |store| Ok(store.mark_delivered(id, now)?))
                .await
        }
        Some(error) => {
            tracing::debug!(delivery = id, attempts = d.attempts + 1, %error, "notification not delivered");
            let next = backoff.next_attempt(now, d.attempts + 1);
            state
                .db(move |store| Ok(store.mark_failed(id, &error, Some(next))?))
                .await
        }
    };
    match result {
        // The subscription was deleted meanwhile: nothing is owed any more.
        Ok(()) | Err(ApiError::NotFound { .. }) => {}
        Err(e) => tracing::warn!(delivery = id, error = %e, "cannot record a delivery attempt"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listener_urls_follow_the_tmf_convention() {
        assert_eq!(
            listener_url("http://crm:9/api/", "ProductOrderStateChangeEvent"),
            "http://crm:9/api/listener/productOrderStateChangeEvent"
        );
        assert_eq!(
            listener_url("http://crm:9", "CancelProductOrderCreateEvent"),
            "http://crm:9/listener/cancelProductOrderCreateEvent"
        );
    }

    #[test]
    fn backoff_doubles_up_to_its_cap() {
        let b = Backoff {
            initial: Duration::from_millis(100),
            max: Duration::from_secs(1),
        };
        let delays: Vec<u128> = (1..=6).map(|a| b.delay(a).as_millis()).collect();
        assert_eq!(delays, vec![100, 200, 400, 800, 1000, 1000]);
        assert_eq!(b.delay(u32::MAX), Duration::from_secs(1));
    }
}
