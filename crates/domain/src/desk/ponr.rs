//! Point of no return (PONR), per order item.
//!
//! TMF622 has no PONR state; the desk keeps it as a date on the item
//! ([`OrderItem::point_of_no_return`]). An item passes it when fulfilment does something that
//! cannot be taken back cheaply: a service order item realising a CFS whose catalog mapping is
//! flagged `point_of_no_return` starts (a truck roll is booked, a port is cut over), or a
//! completed milestone named `ponr` / `pointOfNoReturn` arrives for the item. Once passed, the
//! date never moves and never clears: amendments and cancellations read it to refuse.
//!
//! Which service order item realises which CFS is the decomposition's business; this module
//! only takes the catalog flag (or the milestone) it is handed.

use chrono::{DateTime, Utc};

use crate::catalog::CfsMapping;
use crate::order::{Milestone, OrderItem, ProductOrder};

/// Milestone names that mark the point of no return (compared ignoring ASCII case).
pub const PONR_MILESTONE_NAMES: &[&str] = &["ponr", "pointOfNoReturn"];

/// The v5 milestone status of a milestone that has been reached.
const REACHED: &str = "Completed";

/// Something fulfilment reports that may take an item past its point of no return.
#[derive(Debug, Clone, Copy)]
pub enum PonrSignal<'a> {
    /// A service item realising this CFS mapping started delivery.
    ServiceStarted(&'a CfsMapping),
    /// A milestone arrived on the order.
    Milestone(&'a Milestone),
}

impl PonrSignal<'_> {
    /// When the signal takes `item` past its PONR, or `None` if it does not concern it.
    fn passes_at(&self, item: &OrderItem, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self {
            Self::ServiceStarted(mapping) => mapping.point_of_no_return.then_some(now),
            Self::Milestone(m) => {
                let named = PONR_MILESTONE_NAMES
                    .iter()
                    .any(|n| n.eq_ignore_ascii_case(&m.name));
                let reached = m.status.eq_ignore_ascii_case(REACHED);
                // A milestone without items speaks for the whole order.
                let concerns = m.items.is_empty() || m.items.contains(&item.id);
                // A reached milestone dated in the future (another system's clock) is taken
                // as reached now: a window that has closed must not reopen.
                (named && reached && concerns).then_some(m.date.min(now))
            }
        }
    }
}

/// The item after `signal`: past its PONR from the signal's time if the signal passes it and it
/// had not passed it already (an earlier date is kept).
pub fn pass_point_of_no_return(
    item: &OrderItem,
    signal: PonrSignal<'_>,
    now: DateTime<Utc>,
) -> OrderItem {
    let mut next = item.clone();
    if let Some(at) = signal.passes_at(item, now) {
        next.point_of_no_return = Some(item.point_of_no_return.map_or(at, |p| p.min(at)));
    }
    next
}

/// The order after a milestone: every item it concerns is passed as [`pass_point_of_no_return`]
/// says. Recording the milestone itself on the order is the caller's choice.
pub fn apply_milestone(
    order: &ProductOrder,
    milestone: &Milestone,
    now: DateTime<Utc>,
) -> ProductOrder {
    let mut next = order.clone();
    for item in &mut next.items {
        *item = pass_point_of_no_return(item, PonrSignal::Milestone(milestone), now);
    }
    next
}

/// Whether the item is past its point of no return at `now`.
pub fn is_past_ponr(item: &OrderItem, now: DateTime<Utc>) -> bool {
    item.is_past_point_of_no_return(now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::desk::testkit::{hours, order, t0};
    use crate::ids::{CfsSpecId, ItemId};
    use proptest::prelude::*;
    use rstest::rstest;

    fn mapping(point_of_no_return: bool) -> CfsMapping {
        CfsMapping {
            cfs: CfsSpecId::new("CFS:Access"),
            mandatory: true,
            when: None,
            technologies: Vec::new(),
            characteristics: Vec::new(),
            point_of_no_return,
        }
    }

    fn milestone(name: &str, status: &str, date: DateTime<Utc>, items: &[&str]) -> Milestone {
        Milestone {
            id: "M-1".into(),
            name: name.into(),
            description: None,
            date,
            status: status.into(),
            items: items.iter().map(|i| ItemId::new(*i)).collect(),
        }
    }

    fn item() -> OrderItem {
        order(&[("1", "fibre")]).items.remove(0)
    }

    #[rstest]
    #[case::ponr_service_starts(true, Some(t0()))]
    #[case::ordinary_service_starts(false, None)]
    fn service_start(#[case] flagged: bool, #[case] expected: Option<DateTime<Utc>>) {
        let m = mapping(flagged);
        let after = pass_point_of_no_return(&item(), PonrSignal::ServiceStarted(&m), t0());
        assert_eq!(after.point_of_no_return, expected);
        assert_eq!(is_past_ponr(&after, t0()), expected.is_some());
    }

    #[rstest]
    #[case::reached_for_the_item(milestone("ponr", "Completed", t0() - hours(1), &["1"]), Some(t0() - hours(1)))]
    #[case::long_name_any_case(milestone("PointOfNoReturn", "completed", t0(), &["1"]), Some(t0()))]
    #[case::whole_order(milestone("ponr", "Completed", t0(), &[]), Some(t0()))]
    #[case::future_date_is_now(milestone("ponr", "Completed", t0() + hours(5), &["1"]), Some(t0()))]
    #[case::not_yet_reached(milestone("ponr", "Yet-To-Reach", t0(), &["1"]), None)]
    #[case::other_item(milestone("ponr", "Completed", t0(), &["2"]), None)]
    #[case::other_milestone(milestone("installed", "Completed", t0(), &["1"]), None)]
    fn milestones(#[case] m: Milestone, #[case] expected: Option<DateTime<Utc>>) {
        let after = pass_point_of_no_return(&item(), PonrSignal::Milestone(&m), t0());
        assert_eq!(after.point_of_no_return, expected);
    }

    #[test]
    fn never_moves_later_nor_clears() {
        let m = mapping(true);
        let first = pass_point_of_no_return(&item(), PonrSignal::ServiceStarted(&m), t0());
        let again =
            pass_point_of_no_return(&first, PonrSignal::ServiceStarted(&m), t0() + hours(3));
        assert_eq!(again.point_of_no_return, Some(t0()));
        let plain = mapping(false);
        let still = pass_point_of_no_return(&again, PonrSignal::ServiceStarted(&plain), t0());
        assert_eq!(still.point_of_no_return, Some(t0()));
    }

    #[test]
    fn milestone_on_the_order_passes_only_its_items() {
        let o = order(&[("1", "fibre"), ("2", "router")]);
        let after = apply_milestone(&o, &milestone("ponr", "Completed", t0(), &["2"]), t0());
        assert!(!is_past_ponr(&after.items[0], t0()));
        assert!(is_past_ponr(&after.items[1], t0()));
        assert!(!is_past_ponr(&after.items[1], t0() - hours(1)));
    }

    proptest! {
        #[test]
        fn ponr_is_monotonic(signals in proptest::collection::vec((any::<bool>(), 0i64..100), 0..10)) {
            let mut it = item();
            let mut earliest: Option<DateTime<Utc>> = None;
            for (flagged, h) in signals {
                let m = mapping(flagged);
                let now = t0() + hours(h);
                let before = it.point_of_no_return;
                it = pass_point_of_no_return(&it, PonrSignal::ServiceStarted(&m), now);
                if flagged {
                    earliest = Some(earliest.map_or(now, |e| e.min(now)));
                }
                // Once set, it never clears and never moves later.
                if let Some(b) = before {
                    prop_assert!(it.point_of_no_return.is_some_and(|p| p <= b));
                }
            }
            prop_assert_eq!(it.point_of_no_return, earliest);
        }
    }
}
