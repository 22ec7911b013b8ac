//! Order versions: who changed an order, when, why, and what changed.
//!
//! Every accepted change makes a new [`OrderVersion`] (the order's `version`, its ETag, goes up
//! by one) carrying a full snapshot. [`OrderHistoryLog`] is append-only: it refuses a version
//! that does not follow the last one or that is dated before it, so a history read back from
//! the store is always a gap-free, time-ordered chain.
//!
//! [`diff`] compares what was *asked for*: order-level request fields and the items' requested
//! content (matched by item id). Lifecycle states, notes, milestones, alerts and dates the
//! provider sets are not compared: the [`ChangeKind`] of a version says what happened to them.
//! List-like fields that are sets in meaning (related parties, external ids, relationships) and
//! characteristics (keyed by name) are compared regardless of order.
//!
//! Claims on queue entries are not versions: a lease does not change the order, and bumping
//! the ETag for one would fail every concurrent editor's update for nothing.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::ids::{ItemId, OrderId, UserId};
use crate::lifecycle::{apply, OrderCommand, TransitionError};
use crate::order::{OrderItem, ProductOrder};

/// One field that differs, with its TMF-like path, e.g.
/// `productOrderItem[2].product.productCharacteristic.speed`. `None` means absent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    pub path: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// The field changes of one item present in both versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemDelta {
    pub item: ItemId,
    pub changes: Vec<FieldChange>,
}

/// What changed between two versions of an order's requested content.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct OrderDelta {
    /// Order-level fields (priority, requested dates, billing account...).
    pub order: Vec<FieldChange>,
    /// Items only in the newer version, in its item order.
    pub added: Vec<ItemId>,
    /// Items only in the older version, in its item order.
    pub removed: Vec<ItemId>,
    /// Items in both whose requested content differs, in the older version's item order.
    pub changed: Vec<ItemDelta>,
}

impl OrderDelta {
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
            && self.added.is_empty()
            && self.removed.is_empty()
            && self.changed.is_empty()
    }

    /// Whether the item was removed or changed.
    pub fn touches(&self, item: &ItemId) -> bool {
        self.removed.contains(item) || self.changed.iter().any(|c| &c.item == item)
    }
}

/// The changes from `a` (older) to `b` (newer).
pub fn diff(a: &ProductOrder, b: &ProductOrder) -> OrderDelta {
    let mut order = Vec::new();
    for ((path, before), (_, after)) in order_fields(a).into_iter().zip(order_fields(b)) {
        push_change(&mut order, path.to_owned(), before, after);
    }
    let added = b
        .items
        .iter()
        .filter(|i| a.item(&i.id).is_none())
        .map(|i| i.id.clone())
        .collect();
    let removed = a
        .items
        .iter()
        .filter(|i| b.item(&i.id).is_none())
        .map(|i| i.id.clone())
        .collect();
    let changed = a
        .items
        .iter()
        .filter_map(|old| {
            let new = b.item(&old.id)?;
            let changes = item_changes(old, new);
            (!changes.is_empty()).then(|| ItemDelta {
                item: old.id.clone(),
                changes,
            })
        })
        .collect();
    OrderDelta {
        order,
        added,
        removed,
        changed,
    }
}

fn push_change(
    out: &mut Vec<FieldChange>,
    path: String,
    before: Option<String>,
    after: Option<String>,
) {
    if before != after {
        out.push(FieldChange {
            path,
            before,
            after,
        });
    }
}

fn date(d: Option<DateTime<Utc>>) -> Option<String> {
    d.map(|d| d.to_rfc3339_opts(SecondsFormat::AutoSi, true))
}

/// A set-like list rendered in a canonical order, `None` when empty.
fn set(mut values: Vec<String>) -> Option<String> {
    if values.is_empty() {
        return None;
    }
    values.sort();
    Some(values.join(", "))
}

type Field = (&'static str, Option<String>);

/// The compared order-level fields, in a fixed order.
fn order_fields(o: &ProductOrder) -> [Field; 13] {
    [
        ("customer.id", Some(o.customer.to_string())),
        ("priority", Some(o.priority.to_string())),
        ("category", o.category.clone()),
        ("description", o.description.clone()),
        ("channel", o.channel.clone()),
        ("requestedStartDate", date(o.requested_start_date)),
        ("requestedCompletionDate", date(o.requested_completion_date)),
        (
            "billingAccount.id",
            o.billing_account.as_ref().map(ToString::to_string),
        ),
        (
            "payment.paymentMethod.id",
            o.payment.method.as_ref().map(ToString::to_string),
        ),
        ("payment.holderName", o.payment.holder_name.clone()),
        ("quote.id", o.quote.as_ref().map(ToString::to_string)),
        (
            "externalId",
            set(o
                .external_ids
                .iter()
                .map(|e| {
                    format!(
                        "{}/{}/{}",
                        e.owner.as_deref().unwrap_or(""),
                        e.kind.as_deref().unwrap_or(""),
                        e.id
                    )
                })
                .collect()),
        ),
        (
            "relatedParty",
            set(o
                .related_parties
                .iter()
                .map(|p| {
                    format!(
                        "{}:{}:{}:{}",
                        p.role,
                        p.id,
                        p.name.as_deref().unwrap_or(""),
                        p.referred_type.as_deref().unwrap_or("")
                    )
                })
                .collect()),
        ),
    ]
}

fn item_changes(a: &OrderItem, b: &OrderItem) -> Vec<FieldChange> {
    let prefix = format!("productOrderItem[{}]", a.id);
    let mut out = Vec::new();
    for ((name, before), (_, after)) in item_fields(a).into_iter().zip(item_fields(b)) {
        push_change(&mut out, format!("{prefix}.{name}"), before, after);
    }
    let (before, after) = (characteristics(a), characteristics(b));
    let mut names: Vec<&String> = before.keys().chain(after.keys()).collect();
    names.sort();
    names.dedup();
    for name in names {
        push_change(
            &mut out,
            format!("{prefix}.product.productCharacteristic.{name}"),
            before.get(name).cloned(),
            after.get(name).cloned(),
        );
    }
    out
}

fn item_fields(i: &OrderItem) -> [Field; 8] {
    [
        ("action", Some(i.action.as_str().to_owned())),
        ("quantity", Some(i.quantity.to_string())),
        (
            "productOffering.id",
            i.offering.as_ref().map(ToString::to_string),
        ),
        (
            "product.id",
            i.product.existing.as_ref().map(ToString::to_string),
        ),
        (
            "product.place.id",
            i.product.place.as_ref().map(ToString::to_string),
        ),
        (
            "productOrderItemRelationship",
            set(i
                .relationships
                .iter()
                .map(|r| format!("{}:{}", r.kind.as_str(), r.item))
                .collect()),
        ),
        (
            "appointment",
            i.appointment.as_ref().map(|a| {
                format!(
                    "{}..{}{}",
                    a.start.to_rfc3339_opts(SecondsFormat::AutoSi, true),
                    a.end.to_rfc3339_opts(SecondsFormat::AutoSi, true),
                    a.id.as_ref()
                        .map(|id| format!(" ({id})"))
                        .unwrap_or_default()
                )
            }),
        ),
        (
            "itemPrice",
            i.price
                .as_ref()
                .map(|p| format!("{} {}", p.amount.normalize(), p.currency)),
        ),
    ]
}

/// Characteristic values by name; a name given twice keeps both values, in order.
fn characteristics(i: &OrderItem) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    for c in &i.product.characteristics {
        let value = c.value.as_text();
        out.entry(c.name.clone())
            .and_modify(|v| {
                v.push_str(" | ");
                v.push_str(&value);
            })
            .or_insert(value);
    }
    out
}

/// What made a version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum ChangeKind {
    /// The order was captured or received.
    Created,
    /// A lifecycle command was applied.
    Lifecycle { command: OrderCommand },
    /// The requested content was amended.
    Amendment { delta: OrderDelta },
    /// A note was added.
    Note,
    /// A milestone arrived (possibly taking items past their point of no return).
    Milestone,
    /// Jeopardy alerts were raised.
    Jeopardy,
}

/// One version of an order: who, when, why, what, and the order as it then stood.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderVersion {
    pub version: u32,
    pub at: DateTime<Utc>,
    pub by: UserId,
    pub reason: String,
    pub change: ChangeKind,
    pub snapshot: ProductOrder,
}

/// Why a version could not be made or appended.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum VersionError {
    #[error("version {got} does not follow version {last}")]
    NotNext { last: u32, got: u32 },
    #[error("version dated {got} is older than the last version, dated {last}")]
    OlderThanLast {
        last: DateTime<Utc>,
        got: DateTime<Utc>,
    },
    #[error("version {version} holds a snapshot of order version {snapshot}")]
    SnapshotMismatch { version: u32, snapshot: u32 },
    #[error("this history belongs to order `{log}`, not `{got}`")]
    OtherOrder { log: OrderId, got: OrderId },
    #[error("the order has reached the last version number")]
    Exhausted,
    #[error("the history has no version to apply a command to")]
    Empty,
    #[error(transparent)]
    Transition(#[from] TransitionError),
}

/// The order after one more accepted change: its version number bumped.
pub fn bump(order: &ProductOrder) -> Result<ProductOrder, VersionError> {
    let mut next = order.clone();
    next.version = order
        .version
        .checked_add(1)
        .ok_or(VersionError::Exhausted)?;
    Ok(next)
}

/// Applies a lifecycle command through [`crate::lifecycle::apply`] and makes the version that
/// records it.
pub fn record(
    order: &ProductOrder,
    command: &OrderCommand,
    now: DateTime<Utc>,
    by: &UserId,
    reason: impl Into<String>,
) -> Result<(ProductOrder, OrderVersion), VersionError> {
    let next = bump(&apply(order, command, now)?)?;
    let version = OrderVersion {
        version: next.version,
        at: now,
        by: by.clone(),
        reason: reason.into(),
        change: ChangeKind::Lifecycle {
            command: command.clone(),
        },
        snapshot: next.clone(),
    };
    Ok((next, version))
}

/// The versions of one order, append-only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "StoredLog")]
pub struct OrderHistoryLog {
    order: OrderId,
    versions: Vec<OrderVersion>,
}

/// The log as stored: deserialised, then checked by replaying every push.
#[derive(Deserialize)]
struct StoredLog {
    order: OrderId,
    versions: Vec<OrderVersion>,
}

impl TryFrom<StoredLog> for OrderHistoryLog {
    type Error = VersionError;
    fn try_from(stored: StoredLog) -> Result<Self, Self::Error> {
        Self::from_versions(stored.order, stored.versions)
    }
}

impl OrderHistoryLog {
    /// An empty history for `order`. The first version pushed may carry any number (an order
    /// imported from another system does not start at 1); each later one must follow.
    pub fn new(order: OrderId) -> Self {
        Self {
            order,
            versions: Vec::new(),
        }
    }

    /// Rebuilds a history, checking every version as [`Self::push`] does.
    pub fn from_versions(
        order: OrderId,
        versions: impl IntoIterator<Item = OrderVersion>,
    ) -> Result<Self, VersionError> {
        let mut log = Self::new(order);
        for v in versions {
            log.push(v)?;
        }
        Ok(log)
    }

    pub fn order(&self) -> &OrderId {
        &self.order
    }

    /// Appends `version` if it is the next number, not dated before the last one, and
    /// snapshots this order at that version.
    pub fn push(&mut self, version: OrderVersion) -> Result<(), VersionError> {
        self.check(&version)?;
        self.versions.push(version);
        Ok(())
    }

    fn check(&self, version: &OrderVersion) -> Result<(), VersionError> {
        if version.snapshot.id != self.order {
            return Err(VersionError::OtherOrder {
                log: self.order.clone(),
                got: version.snapshot.id.clone(),
            });
        }
        if version.snapshot.version != version.version {
            return Err(VersionError::SnapshotMismatch {
                version: version.version,
                snapshot: version.snapshot.version,
            });
        }
        if let Some(last) = self.versions.last() {
            if last.version.checked_add(1) != Some(version.version) {
                return Err(VersionError::NotNext {
                    last: last.version,
                    got: version.version,
                });
            }
            if version.at < last.at {
                return Err(VersionError::OlderThanLast {
                    last: last.at,
                    got: version.at,
                });
            }
        }
        Ok(())
    }

    /// Applies a lifecycle command to the latest snapshot and appends the resulting version.
    /// Nothing is appended when the command or the version is refused.
    pub fn record(
        &mut self,
        command: &OrderCommand,
        now: DateTime<Utc>,
        by: &UserId,
        reason: impl Into<String>,
    ) -> Result<&OrderVersion, VersionError> {
        let latest = self.latest().ok_or(VersionError::Empty)?;
        let (_, version) = record(&latest.snapshot, command, now, by, reason)?;
        self.push(version)?;
        self.versions.last().ok_or(VersionError::Empty)
    }

    pub fn latest(&self) -> Option<&OrderVersion> {
        self.versions.last()
    }

    pub fn get(&self, version: u32) -> Option<&OrderVersion> {
        self.versions.iter().find(|v| v.version == version)
    }

    pub fn versions(&self) -> &[OrderVersion] {
        &self.versions
    }

    pub fn len(&self) -> usize {
        self.versions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.versions.is_empty()
    }

    /// What changed in the requested content between two recorded versions.
    pub fn diff(&self, from: u32, to: u32) -> Option<OrderDelta> {
        Some(diff(&self.get(from)?.snapshot, &self.get(to)?.snapshot))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::desk::testkit::{hours, order, t0};
    use crate::ids::{AddressId, OfferingId};
    use crate::lifecycle::OrderState;
    use crate::order::{
        Appointment, Characteristic, ItemAction, ItemRelationship, ItemRelationshipType,
        RelatedParty,
    };
    use crate::priority::Priority;
    use proptest::prelude::*;
    use rstest::rstest;
    use std::collections::BTreeMap;

    fn base() -> ProductOrder {
        let mut o = order(&[("1", "fibre"), ("2", "router")]);
        o.items[0].product.characteristics = vec![
            Characteristic::text("speed", "500"),
            Characteristic::text("ip", "dynamic"),
        ];
        o.items[0].product.place = Some(AddressId::new("A-1"));
        o
    }

    fn change(path: &str, before: Option<&str>, after: Option<&str>) -> FieldChange {
        FieldChange {
            path: path.into(),
            before: before.map(Into::into),
            after: after.map(Into::into),
        }
    }

    #[test]
    fn an_order_equals_itself() {
        assert!(diff(&base(), &base()).is_empty());
    }

    #[rstest]
    #[case::priority(
        |o: &mut ProductOrder| o.priority = Priority::HIGHEST,
        change("priority", Some("4"), Some("0")))]
    #[case::requested_start(
        |o: &mut ProductOrder| o.requested_start_date = Some(t0()),
        change("requestedStartDate", None, Some("2026-11-02T09:00:00Z")))]
    #[case::description_cleared(
        |o: &mut ProductOrder| o.description = None,
        change("description", Some("move"), None))]
    fn order_field_changes(#[case] edit: fn(&mut ProductOrder), #[case] expected: FieldChange) {
        let mut a = base();
        a.description = Some("move".into());
        let mut b = a.clone();
        edit(&mut b);
        let d = diff(&a, &b);
        assert_eq!(d.order, vec![expected]);
        assert!(d.added.is_empty() && d.removed.is_empty() && d.changed.is_empty());
    }

    #[rstest]
    #[case::characteristic(
        |i: &mut OrderItem| i.product.characteristics[0] = Characteristic::text("speed", "1000"),
        change("productOrderItem[1].product.productCharacteristic.speed", Some("500"), Some("1000")))]
    #[case::characteristic_removed(
        |i: &mut OrderItem| { i.product.characteristics.remove(1); },
        change("productOrderItem[1].product.productCharacteristic.ip", Some("dynamic"), None))]
    #[case::place(
        |i: &mut OrderItem| i.product.place = Some(AddressId::new("A-2")),
        change("productOrderItem[1].product.place.id", Some("A-1"), Some("A-2")))]
    #[case::offering(
        |i: &mut OrderItem| i.offering = Some(OfferingId::new("fibre-1g")),
        change("productOrderItem[1].productOffering.id", Some("fibre"), Some("fibre-1g")))]
    #[case::action(
        |i: &mut OrderItem| i.action = ItemAction::Modify,
        change("productOrderItem[1].action", Some("add"), Some("modify")))]
    #[case::appointment(
        |i: &mut OrderItem| i.appointment = Some(Appointment { id: None, start: t0(), end: t0() + hours(4) }),
        change("productOrderItem[1].appointment", None, Some("2026-11-02T09:00:00Z..2026-11-02T13:00:00Z")))]
    #[case::relationship(
        |i: &mut OrderItem| i.relationships.push(ItemRelationship { item: "2".into(), kind: ItemRelationshipType::ReliesOn }),
        change("productOrderItem[1].productOrderItemRelationship", None, Some("reliesOn:2")))]
    fn item_field_changes(#[case] edit: fn(&mut OrderItem), #[case] expected: FieldChange) {
        let a = base();
        let mut b = a.clone();
        edit(&mut b.items[0]);
        let d = diff(&a, &b);
        assert_eq!(
            d.changed,
            vec![ItemDelta {
                item: "1".into(),
                changes: vec![expected]
            }]
        );
        assert!(d.order.is_empty() && d.touches(&"1".into()) && !d.touches(&"2".into()));
    }

    #[test]
    fn added_and_removed_items() {
        let a = base();
        let mut b = a.clone();
        b.items.remove(1);
        b.items
            .push(OrderItem::new("3", ItemAction::Add, Some("tv".into())));
        let d = diff(&a, &b);
        assert_eq!(d.added, vec![ItemId::new("3")]);
        assert_eq!(d.removed, vec![ItemId::new("2")]);
        assert!(d.changed.is_empty() && d.touches(&"2".into()));
        let back = diff(&b, &a);
        assert_eq!((back.added, back.removed), (d.removed, d.added));
    }

    #[test]
    fn order_of_sets_and_lifecycle_do_not_count() {
        let mut a = base();
        let party = |id: &str| RelatedParty {
            id: id.into(),
            role: "agent".into(),
            name: None,
            referred_type: None,
        };
        a.related_parties = vec![party("u1"), party("u2")];
        let mut b = a.clone();
        b.related_parties.reverse();
        b.items.reverse();
        b.items[1].product.characteristics.reverse();
        b.version = 7;
        b.state_reason = Some("held".into());
        b.state_changed_at = t0() + hours(3);
        b.items[0].lifecycle = crate::lifecycle::ItemLifecycle::new(crate::ItemState::Held);
        assert!(diff(&a, &b).is_empty());
    }

    fn version(o: &ProductOrder, v: u32, at: DateTime<Utc>) -> OrderVersion {
        OrderVersion {
            version: v,
            at,
            by: "user-a".into(),
            reason: "test".into(),
            change: ChangeKind::Note,
            snapshot: ProductOrder {
                version: v,
                ..o.clone()
            },
        }
    }

    #[test]
    fn log_accepts_only_the_next_version_in_time() {
        let o = base();
        let mut log = OrderHistoryLog::new(o.id.clone());
        log.push(version(&o, 1, t0())).unwrap();
        log.push(version(&o, 2, t0())).unwrap();
        assert_eq!(
            log.push(version(&o, 2, t0() + hours(1))),
            Err(VersionError::NotNext { last: 2, got: 2 })
        );
        assert_eq!(
            log.push(version(&o, 4, t0() + hours(1))),
            Err(VersionError::NotNext { last: 2, got: 4 })
        );
        assert_eq!(
            log.push(version(&o, 3, t0() - hours(1))),
            Err(VersionError::OlderThanLast {
                last: t0(),
                got: t0() - hours(1)
            })
        );
        let mut wrong = version(&o, 3, t0());
        wrong.snapshot.version = 9;
        assert_eq!(
            log.push(wrong),
            Err(VersionError::SnapshotMismatch {
                version: 3,
                snapshot: 9
            })
        );
        let mut other = version(&o, 3, t0());
        other.snapshot.id = "O-2".into();
        assert!(matches!(
            log.push(other),
            Err(VersionError::OtherOrder { .. })
        ));
        assert_eq!(log.len(), 2);
        assert_eq!(log.latest().map(|v| v.version), Some(2));
    }

    #[test]
    fn record_applies_the_lifecycle_and_bumps_the_version() {
        let o = base();
        let mut log = OrderHistoryLog::new(o.id.clone());
        assert_eq!(
            log.record(&OrderCommand::Accept, t0(), &"user-a".into(), "ok")
                .map(|v| v.version),
            Err(VersionError::Empty)
        );
        log.push(OrderVersion {
            change: ChangeKind::Created,
            ..version(&o, 1, t0())
        })
        .unwrap();
        let hold = OrderCommand::Hold {
            reason: "credit referral".into(),
        };
        let v = log
            .record(&hold, t0() + hours(1), &"user-a".into(), "manual check")
            .unwrap();
        assert_eq!(v.version, 2);
        assert_eq!(v.snapshot.version, 2);
        assert_eq!(v.snapshot.state(), OrderState::Held);
        assert_eq!(v.change, ChangeKind::Lifecycle { command: hold });
        assert_eq!(v.by, UserId::new("user-a"));
        assert_eq!(v.reason, "manual check");
        // A refused command appends nothing.
        let refused = log.record(
            &OrderCommand::Submit,
            t0() + hours(2),
            &"user-b".into(),
            "x",
        );
        assert!(matches!(refused, Err(VersionError::Transition(_))));
        assert_eq!(log.len(), 2);
        assert!(log.diff(1, 2).is_some_and(|d| d.is_empty()));
    }

    #[test]
    fn version_numbers_do_not_overflow() {
        let mut o = base();
        o.version = u32::MAX;
        assert!(matches!(
            record(&o, &OrderCommand::Accept, t0(), &"a".into(), "x"),
            Err(VersionError::Exhausted)
        ));
    }

    #[test]
    fn stored_log_is_checked_when_read_back() {
        let o = base();
        let log = OrderHistoryLog::from_versions(
            o.id.clone(),
            [version(&o, 1, t0()), version(&o, 2, t0() + hours(1))],
        )
        .unwrap();
        let json = serde_json::to_value(&log).unwrap();
        let back: OrderHistoryLog = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(back, log);
        let mut tampered = json;
        tampered["versions"][1]["version"] = serde_json::json!(5);
        tampered["versions"][1]["snapshot"]["version"] = serde_json::json!(5);
        assert!(serde_json::from_value::<OrderHistoryLog>(tampered).is_err());
    }

    /// An item as generated: offering, place, characteristics by name.
    type ItemView = (String, Option<String>, BTreeMap<String, String>);

    /// What the generated orders vary in, keyed the way diff compares them.
    type View = (u8, Option<String>, Option<i64>, BTreeMap<String, ItemView>);

    fn gen_order() -> impl Strategy<Value = (View, ProductOrder)> {
        let item = (
            prop::sample::select(vec!["a", "b"]),
            prop::option::of(prop::sample::select(vec!["A-1", "A-2"])),
            prop::collection::btree_map(
                prop::sample::select(vec!["speed", "colour"]),
                prop::sample::select(vec!["x", "y"]),
                0..3,
            ),
        );
        (
            0u8..=4,
            prop::option::of(prop::sample::select(vec!["move", "new line"])),
            prop::option::of(0i64..2),
            prop::collection::btree_map(prop::sample::select(vec!["1", "2", "3"]), item, 1..4),
            any::<prop::sample::Index>(),
        )
            .prop_map(|(priority, description, start, items, rotate)| {
                let items: BTreeMap<String, ItemView> = items
                    .into_iter()
                    .map(|(id, (off, place, ch))| {
                        (
                            id.to_owned(),
                            (
                                off.to_owned(),
                                place.map(str::to_owned),
                                ch.into_iter()
                                    .map(|(k, v)| (k.to_owned(), v.to_owned()))
                                    .collect(),
                            ),
                        )
                    })
                    .collect();
                let mut order_items: Vec<(String, ItemView)> = items.clone().into_iter().collect();
                // Item order is not compared: present the items in a rotated order.
                let by = rotate.index(order_items.len());
                order_items.rotate_left(by);
                let mut o = order(&[("seed", "a")]);
                o.priority = Priority::new(priority).unwrap();
                o.description = description.map(str::to_owned);
                o.requested_start_date = start.map(|d| t0() + hours(24 * d));
                o.items = order_items
                    .into_iter()
                    .map(|(id, (off, place, ch))| {
                        let mut i = OrderItem::new(id, ItemAction::Add, Some(off.into()));
                        i.product.place = place.map(Into::into);
                        i.product.characteristics = ch
                            .into_iter()
                            .rev()
                            .map(|(k, v)| Characteristic::text(k, v))
                            .collect();
                        i
                    })
                    .collect();
                let view = (priority, o.description.clone(), start, items);
                (view, o)
            })
    }

    proptest! {
        #[test]
        fn diff_is_empty_exactly_when_the_requests_agree(
            (va, a) in gen_order(), (vb, b) in gen_order(),
        ) {
            prop_assert!(diff(&a, &a).is_empty());
            prop_assert_eq!(diff(&a, &b).is_empty(), va == vb);
            let (ab, ba) = (diff(&a, &b), diff(&b, &a));
            prop_assert_eq!(&ab.added, &ba.removed);
            prop_assert_eq!(ab.changed.len(), ba.changed.len());
        }

        #[test]
        fn versions_stay_consecutive_and_in_time(
            pushes in prop::collection::vec((0u32..6, -3i64..6), 0..20),
        ) {
            let o = base();
            let mut log = OrderHistoryLog::new(o.id.clone());
            for (v, h) in pushes {
                let _ = log.push(version(&o, v, t0() + hours(h)));
            }
            for pair in log.versions().windows(2) {
                prop_assert_eq!(pair[1].version, pair[0].version + 1);
                prop_assert!(pair[1].at >= pair[0].at);
            }
        }
    }
}
