//! [`Subscribers`]: whether any hub subscription exists, so that a change nobody subscribed to
//! skips rendering its notifications and the notifier skips its outbox query.
//!
//! Rendering a create's notifications (the order as v4 and v5 event JSON) and waking the notifier
//! after every commit cost about a tenth of the server's CPU on a create-heavy load with no
//! subscriber at all. The answer must never be stale in the dangerous direction: a change that
//! read "no subscription" and skipped its notifications commits while holding [`Notifiable`]
//! (a read lock), and registering or removing a subscription takes the write lock, so a
//! subscription exists either before such a change reads the flag (then it renders them) or
//! only after it committed (then nothing was owed to it).

use std::sync::atomic::{AtomicBool, Ordering};

use orderdesk_store::CentralStore;
use tokio::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

/// Whether any hub subscription exists, with the lock that keeps it true while changes commit.
#[derive(Debug)]
pub struct Subscribers {
    any: AtomicBool,
    gate: RwLock<()>,
}

/// A change's view of the subscriptions: hold it until the change committed.
#[derive(Debug)]
pub struct Notifiable<'a> {
    pub any: bool,
    _held: RwLockReadGuard<'a, ()>,
}

/// Held while a subscription is added or removed; [`Self::set`] records what is then stored.
#[derive(Debug)]
pub struct Registering<'a> {
    subscribers: &'a Subscribers,
    _held: RwLockWriteGuard<'a, ()>,
}

impl Registering<'_> {
    pub fn set(&self, any: bool) {
        self.subscribers.any.store(any, Ordering::SeqCst);
    }
}

impl Subscribers {
    /// What the store holds now.
    pub fn load(store: &CentralStore) -> orderdesk_store::Result<Self> {
        Ok(Self::new(!store.list_subscriptions()?.is_empty()))
    }

    pub fn new(any: bool) -> Self {
        Self {
            any: AtomicBool::new(any),
            gate: RwLock::new(()),
        }
    }

    /// For a change about to render its notifications and commit.
    pub async fn for_change(&self) -> Notifiable<'_> {
        let held = self.gate.read().await;
        Notifiable {
            any: self.any.load(Ordering::SeqCst),
            _held: held,
        }
    }

    /// Whether a subscription exists (for the notifier: no lock, a hint).
    pub fn any(&self) -> bool {
        self.any.load(Ordering::SeqCst)
    }

    /// For adding or removing a subscription: waits for the changes in flight.
    pub async fn registering(&self) -> Registering<'_> {
        Registering {
            subscribers: self,
            _held: self.gate.write().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::time::Duration;

    #[tokio::test]
    async fn a_registration_waits_for_the_changes_that_skipped_notifications() {
        let subscribers = Arc::new(Subscribers::new(false));
        let change = subscribers.for_change().await;
        assert!(!change.any);
        let s = Arc::clone(&subscribers);
        let registration = tokio::spawn(async move {
            let r = s.registering().await;
            r.set(true);
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(
            !registration.is_finished(),
            "registered while a change was in flight"
        );
        assert!(!subscribers.any());
        drop(change);
        registration.await.unwrap();
        assert!(subscribers.any());
        assert!(subscribers.for_change().await.any);
    }
}
