//! Refreshing the reference data local validation reads from the server, so that a change to
//! the server's catalog or to a customer's installed products reaches the desk.
//!
//! What the server serves is refreshed: the TMF620 catalog (offerings, specifications, prices)
//! and TMF648 quotes whole, and the TMF637 installed products of every customer the desk knows
//! (one `relatedParty.id` listing each). Addresses, exchanges, customers, credit and payment
//! methods have no server endpoint; they stay as first seeded.
//!
//! [`Desk::refresh_reference`] reads every collection whole (the sync client), asks the pure
//! [`refresh_reference`] what each means for the stored copy, checks that the result still holds
//! together (the catalog's references resolve, every document parses) by building the new
//! snapshot, and only then writes all changes in one local transaction and swaps the snapshot
//! in. A collection the server does not serve, could not list whole, or listed empty keeps its
//! last copy; offline, nothing changes and the last copy serves offline validation.
//!
//! It runs when the sync engine starts (at sign-in), every [`crate::DeskConfig`]
//! `reference_refresh`, and when the user asks to sync now ([`Desk::request_sync`]).

use std::collections::HashMap;
use std::time::Duration;

use orderdesk_store::local::{ReferenceChange, ReferenceKind, ReferenceRow};
use orderdesk_sync::decide::{refresh_reference, KeepReason, Listing, RefreshPlan};
use orderdesk_sync::SyncError;
use serde::Serialize;
use tokio::sync::Notify;

use crate::desk::{map_sync, Desk};
use crate::error::DeskError;
use crate::permission::Permission;
use crate::reference::{
    offering_row, price_row, product_row, quote_row, specification_row, ReferenceError,
    ReferenceRows, ReferenceSnapshot,
};

/// What a refresh did.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReferenceRefresh {
    /// Documents written (new or changed on the server).
    pub written: usize,
    /// Documents deleted (no longer served).
    pub deleted: usize,
    /// Documents the server has as the desk has them.
    pub unchanged: usize,
    /// Collections whose last copy was kept, and why (`product:C-1` names a customer's products).
    pub kept: Vec<(String, KeepReason)>,
}

/// A collection as the server answered it, as rows.
enum Fetched {
    Rows(Vec<ReferenceRow>),
    NotServed,
    Failed(String),
}

/// What an answer means for the refresh: offline stops it (nothing is known), a 404 is a
/// collection the server does not serve, any other failure keeps that collection's last copy.
fn fetched<T>(
    answer: Result<Vec<T>, SyncError>,
    to_row: impl Fn(usize, &T) -> Result<ReferenceRow, ReferenceError>,
) -> Result<Fetched, DeskError> {
    match answer {
        Ok(items) => Ok(Fetched::Rows(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| to_row(i, item))
                .collect::<Result<_, _>>()?,
        )),
        Err(e @ SyncError::Offline(_)) => Err(map_sync(e, "refreshing the reference data")),
        Err(SyncError::Server { status: 404, .. }) => Ok(Fetched::NotServed),
        Err(e) => Ok(Fetched::Failed(e.to_string())),
    }
}

/// One collection's plan: `kind`, the stored rows in its scope, what the server sent.
struct Scoped {
    kind: ReferenceKind,
    label: String,
    plan: RefreshPlan,
    fetched: Vec<ReferenceRow>,
}

fn plan(
    kind: ReferenceKind,
    label: String,
    stored: &[ReferenceRow],
    fetched: Fetched,
    prune: bool,
) -> Scoped {
    let have: Vec<(&str, &serde_json::Value)> =
        stored.iter().map(|r| (r.id.as_str(), &r.json)).collect();
    let (plan, rows) = match fetched {
        Fetched::Rows(rows) => {
            let listed: Vec<(&str, &serde_json::Value)> =
                rows.iter().map(|r| (r.id.as_str(), &r.json)).collect();
            let plan = refresh_reference(&have, Listing::Complete(&listed), prune);
            (plan, rows)
        }
        Fetched::NotServed => (
            refresh_reference(&have, Listing::NotServed, prune),
            Vec::new(),
        ),
        Fetched::Failed(why) => {
            tracing::debug!(collection = %label, %why, "reference collection not refreshed");
            (refresh_reference(&have, Listing::Failed, prune), Vec::new())
        }
    };
    Scoped {
        kind,
        label,
        plan,
        fetched: rows,
    }
}

/// The change a plan makes: the listed rows it names (the last of an id), the ids to delete.
fn change_of(scoped: &Scoped) -> Option<ReferenceChange> {
    let RefreshPlan::Apply { write, delete, .. } = &scoped.plan else {
        return None;
    };
    if write.is_empty() && delete.is_empty() {
        return None;
    }
    let last: HashMap<&str, &ReferenceRow> =
        scoped.fetched.iter().map(|r| (r.id.as_str(), r)).collect();
    Some(ReferenceChange {
        kind: scoped.kind,
        write: write
            .iter()
            .filter_map(|id| last.get(id.as_str()).map(|r| (*r).clone()))
            .collect(),
        delete: delete.clone(),
    })
}

/// The stored rows with the changes applied, kind by kind, by id.
fn apply_changes(stored: ReferenceRows, changes: &[ReferenceChange]) -> ReferenceRows {
    stored
        .into_iter()
        .map(|(kind, rows)| {
            let mut by_id: std::collections::BTreeMap<String, ReferenceRow> =
                rows.into_iter().map(|r| (r.id.clone(), r)).collect();
            for change in changes.iter().filter(|c| c.kind == kind) {
                for id in &change.delete {
                    by_id.remove(id);
                }
                for row in &change.write {
                    by_id.insert(row.id.clone(), row.clone());
                }
            }
            (kind, by_id.into_values().collect())
        })
        .collect()
}

impl Desk {
    /// Refreshes the reference data from the server: see the module docs. Offline it fails
    /// with [`DeskError::Offline`] and the last copy stays; a server whose data would not hold
    /// together changes nothing ([`DeskError::Server`]).
    pub async fn refresh_reference(&self) -> Result<ReferenceRefresh, DeskError> {
        self.require(Permission::ReadCatalog)?;
        let _one_at_a_time = self.inner.refreshing.lock().await;
        let client = self.client();
        let store = &self.inner.store;
        let stored = |kind| store.list_reference(kind).map_err(DeskError::storage);

        let mut plans = Vec::new();
        let catalog = [
            ReferenceKind::ProductOffering,
            ReferenceKind::ProductSpecification,
            ReferenceKind::ProductOfferingPrice,
        ];
        for kind in catalog {
            let rows = match kind {
                ReferenceKind::ProductOffering => {
                    fetched(client.all_offerings().await, |_, o| offering_row(o))?
                }
                ReferenceKind::ProductSpecification => {
                    fetched(client.all_specifications().await, |_, s| {
                        specification_row(s)
                    })?
                }
                _ => fetched(client.all_prices().await, price_row)?,
            };
            plans.push(plan(kind, kind.as_str().into(), &stored(kind)?, rows, true));
        }
        // Quotes opened from files are the desk's own: never pruned.
        let quotes = fetched(client.all_quotes().await, |_, q| quote_row(q))?;
        let kind = ReferenceKind::Quote;
        plans.push(plan(
            kind,
            kind.as_str().into(),
            &stored(kind)?,
            quotes,
            false,
        ));

        let customers: Vec<String> = self
            .reference()
            .customers()
            .customers()
            .iter()
            .map(|c| c.id.to_string())
            .collect();
        for customer in customers {
            let products = fetched(client.all_products_of(&customer).await, |i, p| {
                product_row(p, i)
            })?;
            let mine = store
                .list_reference_of(ReferenceKind::Product, &customer)
                .map_err(DeskError::storage)?;
            let label = format!("product:{customer}");
            plans.push(plan(ReferenceKind::Product, label, &mine, products, true));
        }

        let mut report = ReferenceRefresh::default();
        let mut changes = Vec::new();
        for scoped in &plans {
            match &scoped.plan {
                RefreshPlan::Keep(why) => report.kept.push((scoped.label.clone(), *why)),
                RefreshPlan::Apply { unchanged, .. } => report.unchanged += unchanged,
            }
            changes.extend(change_of(scoped));
        }
        if changes.is_empty() {
            return Ok(report);
        }

        // Checked whole before anything is written: a catalog whose offerings name missing
        // specifications, say, leaves the last copy in place.
        let mut all: ReferenceRows = Vec::new();
        for kind in ReferenceKind::ALL {
            all.push((*kind, stored(*kind)?));
        }
        let next = ReferenceSnapshot::from_rows(&apply_changes(all, &changes)).map_err(|e| {
            DeskError::Server {
                message: format!(
                    "the server's reference data does not hold together, the last copy is kept: {e}"
                ),
            }
        })?;
        let (written, deleted) = store
            .apply_reference_changes(&changes, self.now())
            .map_err(DeskError::storage)?;
        report.written = written;
        report.deleted = deleted;
        let prior = self.reference().prior_orders().clone();
        self.set_reference(next.with_prior_orders(prior));
        tracing::info!(written, deleted, "reference data refreshed from the server");
        Ok(report)
    }
}

/// Refreshes now, then every `every` (when given) or when woken, until aborted.
pub(crate) async fn refresh_loop(
    desk: Desk,
    every: Option<Duration>,
    wake: std::sync::Arc<Notify>,
) {
    loop {
        match desk.refresh_reference().await {
            Ok(report) => tracing::debug!(?report, "reference refresh"),
            Err(e) => tracing::debug!(error = %e, "reference refresh did not happen"),
        }
        match every {
            Some(every) => {
                tokio::select! {
                    () = tokio::time::sleep(every) => {}
                    () = wake.notified() => {}
                }
            }
            None => wake.notified().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn row(id: &str, v: i64) -> ReferenceRow {
        ReferenceRow::new(id, json!({ "v": v }))
    }

    #[test]
    fn changes_replace_by_id_within_their_kind() {
        let stored = vec![
            (
                ReferenceKind::ProductOffering,
                vec![row("A", 1), row("B", 1)],
            ),
            (ReferenceKind::Quote, vec![row("A", 1)]),
        ];
        let changes = [ReferenceChange {
            kind: ReferenceKind::ProductOffering,
            write: vec![row("A", 2), row("C", 1)],
            delete: vec!["B".into()],
        }];
        let next = apply_changes(stored, &changes);
        assert_eq!(
            next,
            vec![
                (
                    ReferenceKind::ProductOffering,
                    vec![row("A", 2), row("C", 1)]
                ),
                (ReferenceKind::Quote, vec![row("A", 1)]),
            ]
        );
    }

    #[test]
    fn a_plan_writes_the_last_listed_copy() {
        let scoped = plan(
            ReferenceKind::ProductOffering,
            "productOffering".into(),
            &[row("A", 1), row("B", 1)],
            Fetched::Rows(vec![row("A", 3), row("A", 2)]),
            true,
        );
        let change = change_of(&scoped).unwrap();
        assert_eq!(change.write, vec![row("A", 2)]);
        assert_eq!(change.delete, vec!["B".to_owned()]);
        let kept = plan(
            ReferenceKind::ProductOffering,
            "productOffering".into(),
            &[row("A", 1)],
            Fetched::Failed("500".into()),
            true,
        );
        assert_eq!(kept.plan, RefreshPlan::Keep(KeepReason::Failed));
        assert!(change_of(&kept).is_none());
    }
}
