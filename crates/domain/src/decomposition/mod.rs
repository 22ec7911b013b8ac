//! Decomposition: the catalog-driven mapping of a product order's items to the customer-facing
//! services (CFS) that realise them, as one TMF641 service order ([`decompose`]), and the
//! roll-up of service item states back to the product items ([`product_item_event`]).
//!
//! Owns the rules below; reads the catalog, addresses and installed base through the traits in
//! [`DecompositionContext`]. Leaves to others: whether the order is acceptable (validation runs
//! first, so the typed errors here are a safety net, never a panic), what an item means against
//! the installed base ([`crate::order_type`]), sending the service order (the shells) and its
//! TMF641 JSON shape (the tmf crate).
//!
//! Rules, per product item in dependency order ([`crate::order_type::item_dependency_order`]):
//! - **provide**: every mandatory CFS of the offering's specification; an optional CFS when its
//!   `when` characteristic has that value on the item (or, absent, as the spec's default); a
//!   technology-dependent CFS only when the technology chosen at the address (the first the
//!   address offers that the offering supports) is one of its technologies.
//! - **shared CFS**: one add per (CFS, place) across the whole order, listing every item it
//!   serves; characteristics merge in processing order, the first value of a name wins. CFS
//!   without a place (mobile lines) are never shared. A provided bundle child without its own
//!   place is at its bundle's place; a modify or migrate is at the item's place, else the
//!   instance's.
//! - **modify**: a CFS the instance has and still needs is modified only when a characteristic
//!   its mapping carries changed (only those are sent) or the product moves; an optional or
//!   technology CFS switches on (add) or off (delete) only when its `when` characteristic
//!   changed or the product moves. Installed CFS the catalog no longer maps are left alone.
//! - **cease**: a delete of every CFS the instance lists (`ProductInstance::services`), not
//!   re-derived from today's catalog.
//! - **migrate**: the new offering's CFS are derived as for a provide; those the old instance
//!   already has are shared (modified when their characteristics change, else untouched), the
//!   others added; the old instance's CFS the new offering does not use are deleted. In a
//!   migrate pair, deletes realise the old item, adds the new one, modifies both.
//! - **dependencies**: within one product item, technology-dependent CFS (the access) come first
//!   and its other adds and modifies depend on them; deletes come last and depend on every add
//!   and modify of the item (make before break). When item B `reliesOn` item A, every service
//!   item of B (other than those shared with A) depends on every service item of A. A
//!   dependency only ever points to an earlier service item, so the service order has no
//!   cycles and can be worked top to bottom.
//! - an item that yields no service item is listed in [`Decomposition::skipped`] with a reason.
//!
//! Not modelled here: item quantity (one service item per CFS whatever the quantity), and
//! CFS already installed for *another* product at the same place (a new TV next to installed
//! broadband still adds internet access; a cease still deletes a CFS another product shares).
//! Reference-counting shared service instances is service inventory's business.

mod roll_up;
mod service_order;
#[cfg(test)]
pub(crate) mod support;

pub use roll_up::{
    product_item_event, product_item_target, ServiceItemCounts, ServiceItemState,
    ServiceRollUpRule, ROLL_UP_STEPS, SERVICE_ROLL_UP_RULES,
};
pub use service_order::{service_instance_id, ServiceAction, ServiceOrder, ServiceOrderItem};

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::catalog::{Catalog, CfsMapping, ProductOffering, ProductSpecification, Technology};
use crate::ids::{
    AddressId, CfsSpecId, IdSource, ItemId, OfferingId, ProductId, ServiceId, ServiceOrderId,
    ServiceOrderItemId, SpecificationId,
};
use crate::order::{
    Characteristic, CharacteristicValue, ItemRelationshipType, OrderItem, ProductOrder,
};
use crate::order_type::{
    classify, CharacteristicDelta, ItemGraph, ItemIntent, OrderTypeError, PositionIndex,
};
use crate::reference::{AddressDirectory, Inventory, ProductInstance};

/// The reference data decomposition reads.
#[derive(Clone, Copy)]
pub struct DecompositionContext<'a> {
    pub catalog: &'a dyn Catalog,
    pub addresses: &'a dyn AddressDirectory,
    pub inventory: &'a dyn Inventory,
}

impl fmt::Debug for DecompositionContext<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecompositionContext")
            .finish_non_exhaustive()
    }
}

/// The service order for a product order, and the items that needed no service work.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decomposition {
    pub service_order: ServiceOrder,
    /// In order item order.
    pub skipped: Vec<SkippedItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedItem {
    pub item: ItemId,
    pub reason: SkipReason,
}

/// Why a product order item yields no service order item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "camelCase")]
pub enum SkipReason {
    /// Action `noChange`.
    NoChange,
    /// A modify or migrate whose changes touch no characteristic a CFS carries and switch no
    /// CFS on or off (e.g. a new price plan on the same specification).
    NoServiceRelevantChange,
    /// A provide whose specification maps no CFS that applies (e.g. a bundle without own CFS).
    NoApplicableCfs,
    /// A cease of an instance that lists no CFS.
    NoInstalledServices,
    /// The delete half of a migrate pair whose old CFS all carry over unchanged.
    Replaced { by: ItemId },
}

/// Why an order could not be decomposed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecompositionError {
    #[error(transparent)]
    Classification(#[from] OrderTypeError),
    #[error("item `{item}` names no product offering")]
    MissingOffering { item: ItemId },
    #[error("item `{item}`: offering `{offering}` is not in the catalog")]
    UnknownOffering { item: ItemId, offering: OfferingId },
    #[error("item `{item}`: specification `{specification}` is not in the catalog")]
    UnknownSpecification {
        item: ItemId,
        specification: SpecificationId,
    },
    #[error("item `{item}` needs a service address and names none")]
    MissingAddress { item: ItemId },
    #[error("item `{item}`: address `{address}` is not in the address directory")]
    UnknownAddress { item: ItemId, address: AddressId },
    #[error(
        "item `{item}`: address `{address}` offers none of the technologies `{offering}` is \
         delivered over"
    )]
    NoSupportedTechnology {
        item: ItemId,
        address: AddressId,
        offering: OfferingId,
    },
}

/// Decomposes `order` into one service order. Pure: ids come from `ids` (one `serviceOrder`,
/// then one `serviceOrderItem` per service item, in output order), so the same input and the
/// same id sequence give the same output. See the module docs for the rules.
pub fn decompose(
    order: &ProductOrder,
    ctx: &DecompositionContext<'_>,
    ids: &mut dyn IdSource,
) -> Result<Decomposition, DecompositionError> {
    let graph = ItemGraph::of(order)?;
    let service_order_id = ServiceOrderId::new(ids.next_id("serviceOrder"));
    let mut builder = Builder::new(order, *ctx, graph);
    let sequence = std::mem::take(&mut builder.graph.sequence);
    for &p in &sequence {
        builder.product_item(p, ids)?;
    }
    Ok(builder.finish(service_order_id))
}

/// Which of an item's CFS mappings a pass looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pass {
    /// Technology-dependent CFS: the access everything else rides on.
    Access,
    Other,
}

const PASSES: [Pass; 2] = [Pass::Access, Pass::Other];

fn pass_of(mapping: &CfsMapping) -> Pass {
    if mapping.technologies.is_empty() {
        Pass::Other
    } else {
        Pass::Access
    }
}

/// A service order item about to be emitted (adds go through [`Builder::add`]).
struct NewService<'a> {
    action: ServiceAction,
    cfs: &'a CfsSpecId,
    service_id: Option<ServiceId>,
    place: Option<&'a AddressId>,
    technology: Option<Technology>,
    characteristics: Vec<Characteristic>,
    removed: Vec<String>,
    point_of_no_return: bool,
}

/// Where a decomposition is while it walks the product items.
struct Builder<'a> {
    order: &'a ProductOrder,
    ctx: DecompositionContext<'a>,
    graph: ItemGraph<'a>,
    items: Vec<ServiceOrderItem>,
    /// `(product item, service item)` positions: which service items realise which items.
    realisations: Vec<(usize, usize)>,
    /// Whether a product item (by position) is realised by any service item yet.
    realised: Vec<bool>,
    /// Adds with a place, which later items at the same place share.
    shared: PositionIndex<(&'a CfsSpecId, &'a AddressId)>,
    /// `(dependent, prerequisite)` service item positions.
    edges: Vec<(usize, usize)>,
    /// Product items (by position) that realise no service item, and why.
    skipped: Vec<(usize, SkipReason)>,
    // Service items emitted for the current product item, by role.
    access: Vec<usize>,
    work: Vec<usize>,
    deletes: Vec<usize>,
}

impl<'a> Builder<'a> {
    fn new(order: &'a ProductOrder, ctx: DecompositionContext<'a>, graph: ItemGraph<'a>) -> Self {
        let n = order.items.len();
        Self {
            order,
            ctx,
            graph,
            items: Vec::with_capacity(n * 3),
            realisations: Vec::with_capacity(n * 3),
            realised: vec![false; n],
            shared: PositionIndex::with_capacity(n * 2),
            edges: Vec::with_capacity(n * 4),
            skipped: Vec::new(),
            access: Vec::new(),
            work: Vec::new(),
            deletes: Vec::new(),
        }
    }

    fn product_item(&mut self, p: usize, ids: &mut dyn IdSource) -> Result<(), DecompositionError> {
        let order = self.order;
        let Some(item) = order.items.get(p) else {
            return Ok(());
        };
        self.access.clear();
        self.work.clear();
        self.deletes.clear();
        let reason = match classify(item, order, self.ctx.inventory)? {
            ItemIntent::Provide => {
                self.provide(p, item, ids)?;
                SkipReason::NoApplicableCfs
            }
            ItemIntent::Modify { instance, delta } => {
                let instance = self.instance(item, &instance)?;
                self.modify(p, item, instance, &delta, ids)?;
                SkipReason::NoServiceRelevantChange
            }
            ItemIntent::Cease {
                instance,
                replaced_by: None,
            } => {
                let instance = self.instance(item, &instance)?;
                self.cease(p, instance, ids);
                SkipReason::NoInstalledServices
            }
            ItemIntent::Cease {
                replaced_by: Some(by),
                ..
            } => SkipReason::Replaced { by },
            ItemIntent::Migrate {
                from_product,
                to_offering,
                delta,
                replaces,
                ..
            } => {
                let instance = self.instance(item, &from_product)?;
                let old = replaces.as_ref().and_then(|r| self.graph.position(r));
                self.migrate(p, old, item, instance, &to_offering, &delta, ids)?;
                SkipReason::NoServiceRelevantChange
            }
            ItemIntent::NoChange { .. } => SkipReason::NoChange,
        };
        // Only an item's own visit, or the add item replacing it (visited earlier), realises it.
        if !self.realised.get(p).copied().unwrap_or(true) {
            self.skipped.push((p, reason));
        }
        self.link_within_item();
        Ok(())
    }

    fn provide(
        &mut self,
        p: usize,
        item: &'a OrderItem,
        ids: &mut dyn IdSource,
    ) -> Result<(), DecompositionError> {
        let offering_id =
            item.offering
                .as_ref()
                .ok_or_else(|| DecompositionError::MissingOffering {
                    item: item.id.clone(),
                })?;
        let (offering, spec) = self.offering_and_spec(item, offering_id)?;
        let place = self.place_of(p);
        let technology = self.technology(item, offering, spec, place)?;
        let wanted = &item.product.characteristics;
        for pass in PASSES {
            for m in spec.cfs.iter().filter(|m| pass_of(m) == pass) {
                if !applies(item, m, spec, wanted, place, technology)? {
                    continue;
                }
                let at = self.add(p, m, spec, wanted, place, technology, ids);
                self.note_role(pass, at);
            }
        }
        Ok(())
    }

    fn modify(
        &mut self,
        p: usize,
        item: &'a OrderItem,
        instance: &'a ProductInstance,
        delta: &CharacteristicDelta,
        ids: &mut dyn IdSource,
    ) -> Result<(), DecompositionError> {
        let (offering, spec) = self.offering_and_spec(item, &instance.offering)?;
        // As the delta saw it: the item's own place, else the instance's.
        let place = item.product.place.as_ref().or(instance.place.as_ref());
        let technology = self.technology(item, offering, spec, place)?;
        let wanted = &item.product.characteristics;
        let moved = delta.moved.is_some();
        // Two passes for adds and modifies, then one for deletes (make before break).
        for pass in [Some(Pass::Access), Some(Pass::Other), None] {
            for m in spec.cfs.iter() {
                if pass.is_some_and(|pass| pass_of(m) != pass) {
                    continue;
                }
                let was_on = instance.services.contains(&m.cfs);
                let now_on = applies(item, m, spec, wanted, place, technology)?;
                let switched = moved || m.when.as_ref().is_some_and(|(n, _)| delta.touches(n));
                let new = match (was_on, now_on, pass) {
                    (false, true, Some(pass)) if switched => {
                        let at = self.add(p, m, spec, wanted, place, technology, ids);
                        self.note_role(pass, at);
                        continue;
                    }
                    (true, true, Some(_)) => {
                        if !moved && !m.characteristics.iter().any(|c| delta.touches(c)) {
                            continue;
                        }
                        let (characteristics, removed) = changed_characteristics(m, delta);
                        NewService {
                            action: ServiceAction::Modify,
                            cfs: &m.cfs,
                            service_id: Some(service_instance_id(&instance.id, &m.cfs)),
                            place,
                            technology,
                            characteristics,
                            removed,
                            point_of_no_return: m.point_of_no_return,
                        }
                    }
                    (true, false, None) if switched => NewService {
                        action: ServiceAction::Delete,
                        cfs: &m.cfs,
                        service_id: Some(service_instance_id(&instance.id, &m.cfs)),
                        place: instance.place.as_ref(),
                        technology: None,
                        characteristics: Vec::new(),
                        removed: Vec::new(),
                        point_of_no_return: m.point_of_no_return,
                    },
                    _ => continue,
                };
                let at = self.emit(&[p], new, ids);
                match pass {
                    Some(pass) => self.note_role(pass, at),
                    None => self.deletes.push(at),
                }
            }
        }
        Ok(())
    }

    fn cease(&mut self, p: usize, instance: &'a ProductInstance, ids: &mut dyn IdSource) {
        let old_spec = self.ctx.catalog.specification(&instance.specification);
        for cfs in &instance.services {
            let at = self.emit(&[p], delete_of(instance, cfs, old_spec), ids);
            self.deletes.push(at);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn migrate(
        &mut self,
        p: usize,
        old: Option<usize>,
        item: &'a OrderItem,
        instance: &'a ProductInstance,
        to_offering: &OfferingId,
        delta: &CharacteristicDelta,
        ids: &mut dyn IdSource,
    ) -> Result<(), DecompositionError> {
        let (offering, spec) = self.offering_and_spec(item, to_offering)?;
        // As the delta saw it: the item's own place, else the instance's.
        let place = item.product.place.as_ref().or(instance.place.as_ref());
        let technology = self.technology(item, offering, spec, place)?;
        let wanted = &item.product.characteristics;
        let moved = delta.moved.is_some();
        // A shared CFS realises both halves of a migrate pair; a new one only the add item.
        let pair = [p, old.unwrap_or(p)];
        let both: &[usize] = if old.is_some() { &pair } else { &pair[..1] };
        let mut kept: Vec<&CfsSpecId> = Vec::with_capacity(spec.cfs.len());
        for pass in PASSES {
            for m in spec.cfs.iter().filter(|m| pass_of(m) == pass) {
                if !applies(item, m, spec, wanted, place, technology)? {
                    continue;
                }
                kept.push(&m.cfs);
                let at = if instance.services.contains(&m.cfs) {
                    if !moved && !m.characteristics.iter().any(|c| delta.touches(c)) {
                        continue;
                    }
                    let (characteristics, removed) = changed_characteristics(m, delta);
                    let new = NewService {
                        action: ServiceAction::Modify,
                        cfs: &m.cfs,
                        service_id: Some(service_instance_id(&instance.id, &m.cfs)),
                        place,
                        technology,
                        characteristics,
                        removed,
                        point_of_no_return: m.point_of_no_return,
                    };
                    self.emit(both, new, ids)
                } else {
                    self.add(p, m, spec, wanted, place, technology, ids)
                };
                self.note_role(pass, at);
            }
        }
        let old_spec = self.ctx.catalog.specification(&instance.specification);
        let old_item = [old.unwrap_or(p)];
        for cfs in instance.services.iter().filter(|c| !kept.contains(c)) {
            let at = self.emit(&old_item, delete_of(instance, cfs, old_spec), ids);
            self.deletes.push(at);
        }
        Ok(())
    }

    fn note_role(&mut self, pass: Pass, at: usize) {
        match pass {
            Pass::Access => self.access.push(at),
            Pass::Other => self.work.push(at),
        }
    }

    /// An add of the mapping's CFS for the product item at `p`; at a place, the add another
    /// item already makes of the same CFS there is shared instead (its characteristics keep
    /// their first value, the flags and technology merge).
    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        p: usize,
        mapping: &'a CfsMapping,
        spec: &ProductSpecification,
        wanted: &[Characteristic],
        place: Option<&'a AddressId>,
        technology: Option<Technology>,
        ids: &mut dyn IdSource,
    ) -> usize {
        let key = place.map(|place| (&mapping.cfs, place));
        if let Some(at) = key.and_then(|key| self.shared.get(&key)) {
            if let Some(existing) = self.items.get_mut(at) {
                for name in &mapping.characteristics {
                    if existing.characteristics.iter().any(|e| &e.name == name) {
                        continue;
                    }
                    if let Some(c) = mapped_characteristic(name, wanted, spec) {
                        existing.characteristics.push(c);
                    }
                }
                existing.point_of_no_return |= mapping.point_of_no_return;
                existing.technology = existing.technology.or(technology);
            }
            self.realises(&[p], at);
            return at;
        }
        if let Some(key) = key {
            self.shared.insert_if_absent(key, self.items.len());
        }
        let new = NewService {
            action: ServiceAction::Add,
            cfs: &mapping.cfs,
            service_id: None,
            place,
            technology,
            characteristics: mapped_characteristics(mapping, wanted, spec),
            removed: Vec::new(),
            point_of_no_return: mapping.point_of_no_return,
        };
        self.emit(&[p], new, ids)
    }

    /// A new service item realising the product items at positions `from`.
    fn emit(&mut self, from: &[usize], new: NewService<'a>, ids: &mut dyn IdSource) -> usize {
        let at = self.items.len();
        self.items.push(ServiceOrderItem {
            id: ServiceOrderItemId::new(ids.next_id("serviceOrderItem")),
            action: new.action,
            cfs: new.cfs.clone(),
            service_id: new.service_id,
            place: new.place.cloned(),
            technology: new.technology,
            characteristics: new.characteristics,
            removed_characteristics: new.removed,
            from_items: Vec::with_capacity(from.len()),
            depends_on: Vec::new(),
            point_of_no_return: new.point_of_no_return,
        });
        self.realises(from, at);
        at
    }

    /// Records that service item `at` realises the product items at positions `from`.
    fn realises(&mut self, from: &[usize], at: usize) {
        for &p in from {
            let (Some(item), Some(service)) = (self.order.items.get(p), self.items.get_mut(at))
            else {
                continue;
            };
            if service.from_items.contains(&item.id) {
                continue;
            }
            service.from_items.push(item.id.clone());
            self.realisations.push((p, at));
            if let Some(flag) = self.realised.get_mut(p) {
                *flag = true;
            }
        }
    }

    /// Within the current product item: the rest waits for the access, deletes for the rest.
    fn link_within_item(&mut self) {
        for &w in &self.work {
            for &a in &self.access {
                self.edges.push((w, a));
            }
        }
        for &d in &self.deletes {
            for &x in self.access.iter().chain(&self.work) {
                self.edges.push((d, x));
            }
        }
    }

    fn finish(mut self, id: ServiceOrderId) -> Decomposition {
        self.realisations.sort_unstable();
        let realisations = &self.realisations;
        let services_of = |p: usize| {
            let from = realisations.partition_point(|&(q, _)| q < p);
            let to = realisations.partition_point(|&(q, _)| q <= p);
            realisations.get(from..to).unwrap_or_default()
        };
        for &(b, a) in &self.graph.relies_on {
            let prerequisites = services_of(a);
            let shared = |s: usize| prerequisites.binary_search(&(a, s)).is_ok();
            // A service item shared with the prerequisite item already is one of its items.
            for &(_, s) in services_of(b).iter().filter(|(_, s)| !shared(*s)) {
                for &(_, t) in prerequisites {
                    self.edges.push((s, t));
                }
            }
        }
        self.edges.sort_unstable();
        self.edges.dedup();
        for group in self.edges.chunk_by(|x, y| x.0 == y.0) {
            let Some(&(s, _)) = group.first() else {
                continue;
            };
            // Only ever towards an earlier item: no cycles, and SOM can work top to bottom.
            let mut depends_on = Vec::with_capacity(group.len());
            for &(_, t) in group.iter().filter(|(_, t)| *t < s) {
                if let Some(prerequisite) = self.items.get(t) {
                    depends_on.push(prerequisite.id.clone());
                }
            }
            if let Some(dependent) = self.items.get_mut(s) {
                dependent.depends_on = depends_on;
            }
        }
        self.skipped.sort_unstable_by_key(|(p, _)| *p);
        let order = self.order;
        let skipped = self
            .skipped
            .into_iter()
            .filter_map(|(p, reason)| {
                order.items.get(p).map(|item| SkippedItem {
                    item: item.id.clone(),
                    reason,
                })
            })
            .collect();
        Decomposition {
            service_order: ServiceOrder {
                id,
                product_order: order.id.clone(),
                customer: order.customer.clone(),
                priority: order.priority,
                requested_start_date: order.requested_start_date,
                requested_completion_date: order.requested_completion_date,
                items: self.items,
            },
            skipped,
        }
    }

    fn instance(
        &self,
        item: &OrderItem,
        product: &ProductId,
    ) -> Result<&'a ProductInstance, DecompositionError> {
        self.ctx.inventory.product(product).ok_or_else(|| {
            OrderTypeError::UnknownInstance {
                item: item.id.clone(),
                product: product.clone(),
            }
            .into()
        })
    }

    fn offering_and_spec(
        &self,
        item: &OrderItem,
        offering_id: &OfferingId,
    ) -> Result<(&'a ProductOffering, &'a ProductSpecification), DecompositionError> {
        let catalog = self.ctx.catalog;
        let offering =
            catalog
                .offering(offering_id)
                .ok_or_else(|| DecompositionError::UnknownOffering {
                    item: item.id.clone(),
                    offering: offering_id.clone(),
                })?;
        let spec = catalog
            .specification(&offering.specification)
            .ok_or_else(|| DecompositionError::UnknownSpecification {
                item: item.id.clone(),
                specification: offering.specification.clone(),
            })?;
        Ok((offering, spec))
    }

    /// The item's service address, or its bundle's when a bundled child names none.
    fn place_of(&self, p: usize) -> Option<&'a AddressId> {
        let order = self.order;
        let mut current = p;
        for _ in 0..=order.items.len() {
            let item = order.items.get(current)?;
            if let Some(place) = &item.product.place {
                return Some(place);
            }
            let parent = item
                .relationships
                .iter()
                .find(|r| r.kind == ItemRelationshipType::BundledIn)?;
            current = self.graph.position(&parent.item)?;
        }
        None
    }

    /// The access technology at `place`: the first the address offers that the offering
    /// supports (any, for an offering that lists none). Only looked up when something depends
    /// on it.
    fn technology(
        &self,
        item: &OrderItem,
        offering: &ProductOffering,
        spec: &ProductSpecification,
        place: Option<&AddressId>,
    ) -> Result<Option<Technology>, DecompositionError> {
        let bound = offering.is_address_bound();
        if !bound && spec.cfs.iter().all(|m| m.technologies.is_empty()) {
            return Ok(None);
        }
        let Some(place) = place else {
            return if bound {
                Err(DecompositionError::MissingAddress {
                    item: item.id.clone(),
                })
            } else {
                Ok(None)
            };
        };
        let address = self.ctx.addresses.address(place).ok_or_else(|| {
            DecompositionError::UnknownAddress {
                item: item.id.clone(),
                address: place.clone(),
            }
        })?;
        let technology = address
            .technologies
            .iter()
            .copied()
            .find(|t| !bound || offering.technologies.contains(t));
        if technology.is_none() && bound {
            return Err(DecompositionError::NoSupportedTechnology {
                item: item.id.clone(),
                address: place.clone(),
                offering: offering.id.clone(),
            });
        }
        Ok(technology)
    }
}

/// Whether a CFS mapping applies to a product with these characteristics at this place.
fn applies(
    item: &OrderItem,
    mapping: &CfsMapping,
    spec: &ProductSpecification,
    characteristics: &[Characteristic],
    place: Option<&AddressId>,
    technology: Option<Technology>,
) -> Result<bool, DecompositionError> {
    if !mapping.technologies.is_empty() {
        if place.is_none() {
            return Err(DecompositionError::MissingAddress {
                item: item.id.clone(),
            });
        }
        if !technology.is_some_and(|t| mapping.technologies.contains(&t)) {
            return Ok(false);
        }
    }
    if mapping.mandatory {
        return Ok(true);
    }
    let Some((name, value)) = &mapping.when else {
        return Ok(false);
    };
    Ok(match value_of(characteristics, name) {
        Some(v) => value_is(v, value),
        None => {
            spec.characteristic(name)
                .and_then(|c| c.default_value.as_deref())
                == Some(value.as_str())
        }
    })
}

fn value_of<'c>(
    characteristics: &'c [Characteristic],
    name: &str,
) -> Option<&'c CharacteristicValue> {
    characteristics
        .iter()
        .find(|c| c.name == name)
        .map(|c| &c.value)
}

/// Compares a value with catalog text without allocating for the common kinds.
fn value_is(value: &CharacteristicValue, expected: &str) -> bool {
    match value {
        CharacteristicValue::Text(s) => s == expected,
        CharacteristicValue::Boolean(b) => {
            expected.eq_ignore_ascii_case(if *b { "true" } else { "false" })
        }
        other => other.as_text() == expected,
    }
}

/// The characteristics a CFS carries, from the product or, absent, the spec's default.
fn mapped_characteristics(
    mapping: &CfsMapping,
    characteristics: &[Characteristic],
    spec: &ProductSpecification,
) -> Vec<Characteristic> {
    let mut out = Vec::with_capacity(mapping.characteristics.len());
    out.extend(
        mapping
            .characteristics
            .iter()
            .filter_map(|name| mapped_characteristic(name, characteristics, spec)),
    );
    out
}

fn mapped_characteristic(
    name: &str,
    characteristics: &[Characteristic],
    spec: &ProductSpecification,
) -> Option<Characteristic> {
    if let Some(value) = value_of(characteristics, name) {
        return Some(Characteristic {
            name: name.to_owned(),
            value: value.clone(),
        });
    }
    spec.characteristic(name)
        .and_then(|c| c.default_value.as_ref())
        .map(|default| Characteristic::text(name, default.clone()))
}

/// The changed (added or changed) and removed characteristics a CFS carries.
fn changed_characteristics(
    mapping: &CfsMapping,
    delta: &CharacteristicDelta,
) -> (Vec<Characteristic>, Vec<String>) {
    let mut changed = Vec::new();
    let mut removed = Vec::new();
    for name in &mapping.characteristics {
        if let Some(value) = delta.new_value(name) {
            changed.push(Characteristic {
                name: name.clone(),
                value: value.clone(),
            });
        } else if delta.is_removed(name) {
            removed.push(name.clone());
        }
    }
    (changed, removed)
}

/// A delete of an installed CFS; the point-of-no-return flag comes from the instance's
/// specification when the catalog still maps the CFS.
fn delete_of<'a>(
    instance: &'a ProductInstance,
    cfs: &'a CfsSpecId,
    old_spec: Option<&ProductSpecification>,
) -> NewService<'a> {
    let point_of_no_return = old_spec
        .and_then(|s| s.cfs.iter().find(|m| &m.cfs == cfs))
        .is_some_and(|m| m.point_of_no_return);
    NewService {
        action: ServiceAction::Delete,
        cfs,
        service_id: Some(service_instance_id(&instance.id, cfs)),
        place: instance.place.as_ref(),
        technology: None,
        characteristics: Vec::new(),
        removed: Vec::new(),
        point_of_no_return,
    }
}

#[cfg(test)]
mod tests;
