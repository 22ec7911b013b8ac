//! An order change prepared outside the writer: consecutive versions of one order and what its
//! queue entry must become, encoded before the writer is taken.
//!
//! The server's workflow (validation's verdict, a desk action, a fulfilment step) writes one or
//! two versions of an order and keeps its queue entry in line with the new state. Encoding the
//! versions (the order's document, its version document, its index rows) is most of a write's
//! CPU, so [`PreparedChange::prepare`] does it on the caller's thread; the writer only runs the
//! statements. A change alone goes through the group commit ([`CentralStore::commit_change`]),
//! in the same transaction as the creates and updates queued with it; a change with more writes
//! of the caller's goes through [`CentralTx::apply_change`].

use chrono::{DateTime, Utc};
use orderdesk_domain::desk::{QueueEntry, QueueKind};
use orderdesk_domain::OrderId;
use rusqlite::Connection;

use super::orders::{self, EncodedUpdate, OrderUpdate, StoredOrder};
use super::{queue, CentralStore, CentralTx};
use crate::error::{Result, StoreError};

/// What an order's queue entry becomes with a change.
#[derive(Debug, Clone, PartialEq)]
pub enum QueueSync {
    /// The entry is left as it is (or stays absent).
    Keep,
    /// The order waits in a queue: its entry is written (a claim on it is kept).
    Enter(QueueEntry),
    /// The order left the state that queued it: its entry is removed if it is of this kind
    /// (an entry of another kind, e.g. a jeopardy alert, stays).
    Leave(QueueKind),
}

/// Versions of one order (each the next of the one before) and its queue entry, encoded and
/// ready for the writer.
pub struct PreparedChange {
    updates: Vec<EncodedUpdate>,
    queue: QueueSync,
    order: Option<OrderId>,
    at: DateTime<Utc>,
}

impl std::fmt::Debug for PreparedChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreparedChange")
            .field("order", &self.order)
            .field("versions", &self.updates.len())
            .field("queue", &self.queue)
            .field("at", &self.at)
            .finish()
    }
}

impl PreparedChange {
    /// Encodes `updates` (in order; each must expect the version the one before writes) and the
    /// queue entry's fate at `at`. Fails on versions that do not follow each other, or on an
    /// update of another order than the first's.
    pub fn prepare(
        updates: &[OrderUpdate<'_>],
        queue: QueueSync,
        at: DateTime<Utc>,
    ) -> Result<Self> {
        let order = match (updates.first(), &queue) {
            (Some(u), _) => Some(u.order.id.clone()),
            (None, QueueSync::Enter(e)) => Some(e.order.clone()),
            (None, QueueSync::Keep | QueueSync::Leave(_)) => None,
        };
        let mut encoded = Vec::with_capacity(updates.len());
        let mut expected = updates.first().map(|u| u.expected_version);
        for u in updates {
            if Some(&u.order.id) != order.as_ref() {
                return Err(StoreError::Inconsistent(format!(
                    "one change writes one order, not {} and {}",
                    u.order.id,
                    order.as_ref().map_or("", |o| o.as_str())
                )));
            }
            if Some(u.expected_version) != expected {
                return Err(StoreError::NotNextVersion {
                    expected: expected.unwrap_or_default().saturating_add(1),
                    got: u.order.version,
                });
            }
            expected = Some(u.order.version);
            encoded.push(EncodedUpdate::encode(u)?);
        }
        if let QueueSync::Enter(entry) = &queue {
            if Some(&entry.order) != order.as_ref() {
                return Err(StoreError::Inconsistent(format!(
                    "the queue entry of {} in a change of another order",
                    entry.order
                )));
            }
        }
        Ok(Self {
            updates: encoded,
            queue,
            order,
            at,
        })
    }

    /// Writes the versions; the last one's stored order, if any.
    fn write_versions(&self, conn: &Connection) -> Result<Option<StoredOrder>> {
        let mut last = None;
        for u in &self.updates {
            last = Some(orders::update(conn, u)?);
        }
        Ok(last)
    }

    fn write_queue(&self, conn: &Connection) -> Result<()> {
        match &self.queue {
            QueueSync::Keep => {}
            QueueSync::Enter(entry) => {
                queue::upsert(conn, entry, self.at)?;
            }
            QueueSync::Leave(kind) => {
                if let Some(id) = &self.order {
                    if queue::get(conn, id)?.is_some_and(|e| e.kind == *kind) {
                        queue::remove(conn, id, self.at)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// The whole change on `conn` (inside the caller's transaction).
    pub(crate) fn write(&self, conn: &Connection) -> Result<Option<StoredOrder>> {
        let last = self.write_versions(conn)?;
        self.write_queue(conn)?;
        Ok(last)
    }
}

impl CentralStore {
    /// Commits `change` with the creates and updates queued with it (group commit): its
    /// versions, their change rows and notifications, and its queue entry, all or nothing.
    /// Returns the last version's stored order (`None` for a change without versions).
    /// [`StoreError::VersionConflict`] when the order moved on since the first update's
    /// expected version.
    pub fn commit_change(&self, change: PreparedChange) -> Result<Option<StoredOrder>> {
        self.submit_change(change)
    }

    /// [`Self::commit_change`] without blocking the caller: `then` gets the result on the
    /// store's committer thread once the batch committed (so it must only hand it over).
    pub fn commit_change_then(
        &self,
        change: PreparedChange,
        then: impl FnOnce(Result<Option<StoredOrder>>) + Send + 'static,
    ) {
        self.submit_change_then(change, then);
    }
}

impl CentralTx<'_> {
    /// Writes `change`'s versions, then `between` (the caller's other writes in the same
    /// transaction), then its queue entry, so that `between` sees the new versions and the queue
    /// entry reflects what `between` did (a release of a claim, say).
    pub fn apply_change<E>(
        &self,
        change: &PreparedChange,
        between: impl FnOnce(&Self) -> std::result::Result<(), E>,
    ) -> std::result::Result<Option<StoredOrder>, E>
    where
        E: From<StoreError>,
    {
        let last = change.write_versions(self.conn())?;
        between(self)?;
        change.write_queue(self.conn())?;
        Ok(last)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::central::NewOrder;
    use chrono::{Duration, TimeZone};
    use orderdesk_domain::desk::versions::record;
    use orderdesk_domain::lifecycle::{OrderCommand, OrderState};
    use orderdesk_domain::{CustomerId, ItemAction, OfferingId, OrderItem, ProductOrder, UserId};

    fn at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 27, 9, 0, 0).unwrap()
    }

    fn stored(store: &CentralStore, id: &str) -> ProductOrder {
        let item = OrderItem::new("1", ItemAction::Add, Some(OfferingId::new("PO-FIBRE")));
        let order = ProductOrder::new(
            OrderId::new(id),
            CustomerId::new("C-1"),
            at(),
            vec![item],
            false,
        )
        .unwrap();
        store
            .create_order(&NewOrder {
                order: &order,
                extensions: None,
                idempotency_key: None,
                by: &UserId::new("U-1"),
                at: at(),
                reason: "captured",
                events: &[],
            })
            .unwrap();
        order
    }

    /// `commands` applied one after the other from `from`: the versions and the orders.
    fn chain(
        from: &ProductOrder,
        commands: &[OrderCommand],
    ) -> Vec<(ProductOrder, orderdesk_domain::desk::OrderVersion)> {
        let mut out = Vec::new();
        let mut current = from.clone();
        for (n, command) in commands.iter().enumerate() {
            let when = at() + Duration::minutes(i64::try_from(n).unwrap() + 1);
            let (next, version) =
                record(&current, command, when, &UserId::new("system"), "test").unwrap();
            out.push((next.clone(), version));
            current = next;
        }
        out
    }

    fn prepare(
        from: &ProductOrder,
        steps: &[(ProductOrder, orderdesk_domain::desk::OrderVersion)],
        queue: QueueSync,
    ) -> Result<PreparedChange> {
        let mut expected = from.version;
        let updates: Vec<OrderUpdate<'_>> = steps
            .iter()
            .map(|(order, version)| {
                let u = OrderUpdate {
                    order,
                    expected_version: expected,
                    version,
                    extensions: None,
                    events: &[],
                };
                expected = order.version;
                u
            })
            .collect();
        PreparedChange::prepare(&updates, queue, at())
    }

    fn hold() -> OrderCommand {
        OrderCommand::Hold {
            reason: "credit referral".into(),
        }
    }

    #[test]
    fn a_change_writes_its_versions_and_enters_the_queue_in_one_commit() {
        let dir = tempfile::tempdir().unwrap();
        let store = CentralStore::open(dir.path()).unwrap();
        let order = stored(&store, "O-1");
        let steps = chain(&order, &[hold()]);
        let held = &steps[0].0;
        let entry = QueueEntry::for_order(held, QueueKind::Held, None);
        let change = prepare(&order, &steps, QueueSync::Enter(entry.clone())).unwrap();

        let last = store.commit_change(change).unwrap().unwrap();
        assert_eq!(last.order.version, 2);
        assert_eq!(last.order.state(), OrderState::Held);
        assert_eq!(store.get_order(&order.id).unwrap().order, *held);
        assert_eq!(
            store.get_queue_entry(&order.id).unwrap().kind,
            QueueKind::Held
        );

        // Resumed: the held entry leaves; a stale repeat of the same change is refused whole.
        let resumed = chain(held, &[OrderCommand::Resume]);
        let change = prepare(held, &resumed, QueueSync::Leave(QueueKind::Held)).unwrap();
        store.commit_change(change).unwrap();
        assert!(store.get_queue_entry(&order.id).is_err(), "the entry left");
        let again = prepare(held, &resumed, QueueSync::Leave(QueueKind::Held)).unwrap();
        assert!(matches!(
            store.commit_change(again),
            Err(StoreError::VersionConflict { current: 3 })
        ));
        assert_eq!(store.get_order(&order.id).unwrap().order.version, 3);
    }

    #[test]
    fn leaving_removes_only_an_entry_of_that_kind() {
        let dir = tempfile::tempdir().unwrap();
        let store = CentralStore::open(dir.path()).unwrap();
        let order = stored(&store, "O-1");
        let jeopardy = QueueEntry::for_order(&order, QueueKind::Jeopardy, None);
        store.upsert_queue_entry(&jeopardy, at()).unwrap();
        let steps = chain(&order, &[hold(), OrderCommand::Resume]);
        let change = prepare(&order, &steps, QueueSync::Leave(QueueKind::Held)).unwrap();
        store.commit_change(change).unwrap();
        assert_eq!(
            store.get_queue_entry(&order.id).unwrap().kind,
            QueueKind::Jeopardy,
            "the jeopardy board's entry stays"
        );
        assert_eq!(store.get_order(&order.id).unwrap().order.version, 3);
    }

    #[test]
    fn versions_that_do_not_follow_or_another_order_are_refused_before_the_writer() {
        let dir = tempfile::tempdir().unwrap();
        let store = CentralStore::open(dir.path()).unwrap();
        let order = stored(&store, "O-1");
        let other = stored(&store, "O-2");
        let steps = chain(&order, &[hold(), OrderCommand::Resume]);

        // The second update claims to follow version 1 again.
        let updates = [
            OrderUpdate {
                order: &steps[0].0,
                expected_version: 1,
                version: &steps[0].1,
                extensions: None,
                events: &[],
            },
            OrderUpdate {
                order: &steps[1].0,
                expected_version: 1,
                version: &steps[1].1,
                extensions: None,
                events: &[],
            },
        ];
        assert!(matches!(
            PreparedChange::prepare(&updates, QueueSync::Keep, at()),
            Err(StoreError::NotNextVersion { .. })
        ));

        let entry = QueueEntry::for_order(&other, QueueKind::Held, None);
        assert!(matches!(
            prepare(&order, &steps[..1], QueueSync::Enter(entry)),
            Err(StoreError::Inconsistent(_))
        ));
        assert_eq!(store.get_order(&order.id).unwrap().order.version, 1);
    }

    #[test]
    fn within_a_transaction_the_callers_writes_run_between_the_versions_and_the_queue() {
        let dir = tempfile::tempdir().unwrap();
        let store = CentralStore::open(dir.path()).unwrap();
        let order = stored(&store, "O-1");
        let steps = chain(&order, &[hold()]);
        let entry = QueueEntry::for_order(&steps[0].0, QueueKind::Held, None);
        let change = prepare(&order, &steps, QueueSync::Enter(entry)).unwrap();
        store
            .write(|tx| {
                tx.apply_change(&change, |tx| {
                    // Sees the new version, and no entry yet.
                    assert_eq!(tx.get_order(&order.id)?.order.version, 2);
                    assert!(tx.get_queue_entry(&order.id)?.is_none());
                    Ok::<_, StoreError>(())
                })
            })
            .unwrap();
        assert_eq!(
            store.get_queue_entry(&order.id).unwrap().kind,
            QueueKind::Held
        );

        // An error from the caller's writes rolls the whole change back.
        let next = chain(&steps[0].0, &[OrderCommand::Resume]);
        let change = prepare(&steps[0].0, &next, QueueSync::Leave(QueueKind::Held)).unwrap();
        let refused = store.write(|tx| {
            tx.apply_change(&change, |_| {
                Err::<(), _>(StoreError::Inconsistent("refused".into()))
            })
        });
        assert!(refused.is_err());
        assert_eq!(store.get_order(&order.id).unwrap().order.version, 2);
        assert_eq!(
            store.get_queue_entry(&order.id).unwrap().kind,
            QueueKind::Held
        );
    }
}
