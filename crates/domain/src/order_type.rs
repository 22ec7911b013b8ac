//! Order types: what each product order item means against the installed base, and in which
//! order the items of an order depend on each other.
//!
//! Owns the classification of an item into an [`ItemIntent`] (provide, modify with its
//! [`CharacteristicDelta`], cease, noChange, migrate), the [`OrderType`] of a whole order (for
//! display and routing), and the dependency order of items ([`item_dependency_order`]).
//!
//! Leaves to others: whether the order is acceptable (validation: catalog, eligibility, whether
//! the instance belongs to the customer), what service work an intent produces
//! ([`crate::decomposition`]), and state changes ([`crate::lifecycle`]).
//!
//! A modify item carries the *desired* product: characteristics it lists are the target values,
//! characteristics of the instance it does not list are removed, and an item without a place
//! keeps the instance's place.

use serde::{Deserialize, Serialize};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::fmt;

use crate::ids::{AddressId, ItemId, OfferingId, ProductId};
use crate::order::{
    Characteristic, CharacteristicValue, ItemAction, ItemRelationshipType, OrderItem, ProductOrder,
};
use crate::reference::{Inventory, ProductInstance, ProductStatus};

/// A characteristic whose value differs between the instance and the desired product.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CharacteristicChange {
    pub name: String,
    pub from: CharacteristicValue,
    pub to: CharacteristicValue,
}

/// The product moves to another service address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaceChange {
    pub from: Option<AddressId>,
    pub to: AddressId,
}

/// What a modify (or migrate) changes on an installed product. Unchanged characteristics are
/// not listed; an empty delta means the item asks for nothing.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CharacteristicDelta {
    /// On the desired product, not on the instance.
    pub added: Vec<Characteristic>,
    pub changed: Vec<CharacteristicChange>,
    /// On the instance, not on the desired product (with the value the instance had).
    pub removed: Vec<Characteristic>,
    /// A move: the desired product names a place other than the instance's.
    pub moved: Option<PlaceChange>,
}

impl CharacteristicDelta {
    /// The delta from `current` (the instance) to `desired` (the order item). Values are
    /// compared as values and, failing that, as catalog text, so `Number(1)` equals `Text("1")`.
    /// When a name appears twice, its first occurrence counts.
    pub fn between(
        current: &[Characteristic],
        current_place: Option<&AddressId>,
        desired: &[Characteristic],
        desired_place: Option<&AddressId>,
    ) -> Self {
        let mut delta = Self::default();
        for (i, wanted) in desired.iter().enumerate() {
            if first_index(desired, &wanted.name) != Some(i) {
                continue;
            }
            match current.iter().find(|c| c.name == wanted.name) {
                None => delta.added.push(wanted.clone()),
                Some(had) if !same_value(&had.value, &wanted.value) => {
                    delta.changed.push(CharacteristicChange {
                        name: wanted.name.clone(),
                        from: had.value.clone(),
                        to: wanted.value.clone(),
                    });
                }
                Some(_) => {}
            }
        }
        for (i, had) in current.iter().enumerate() {
            if first_index(current, &had.name) == Some(i)
                && !desired.iter().any(|d| d.name == had.name)
            {
                delta.removed.push(had.clone());
            }
        }
        if let Some(to) = desired_place {
            if current_place != Some(to) {
                delta.moved = Some(PlaceChange {
                    from: current_place.cloned(),
                    to: to.clone(),
                });
            }
        }
        delta
    }

    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.changed.is_empty()
            && self.removed.is_empty()
            && self.moved.is_none()
    }

    /// Whether the characteristic `name` is added, changed or removed.
    pub fn touches(&self, name: &str) -> bool {
        self.new_value(name).is_some() || self.is_removed(name)
    }

    /// The desired value of an added or changed characteristic.
    pub fn new_value(&self, name: &str) -> Option<&CharacteristicValue> {
        self.added
            .iter()
            .find(|c| c.name == name)
            .map(|c| &c.value)
            .or_else(|| self.changed.iter().find(|c| c.name == name).map(|c| &c.to))
    }

    pub fn is_removed(&self, name: &str) -> bool {
        self.removed.iter().any(|c| c.name == name)
    }
}

fn first_index(list: &[Characteristic], name: &str) -> Option<usize> {
    list.iter().position(|c| c.name == name)
}

/// Equal as values, or equal as the text the catalog would list.
fn same_value(a: &CharacteristicValue, b: &CharacteristicValue) -> bool {
    a == b || a.as_text() == b.as_text()
}

/// What one order item means against the installed base.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "intent",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum ItemIntent {
    /// A new product (action `add`).
    Provide,
    /// A change to an installed product, keeping its offering.
    Modify {
        instance: ProductId,
        delta: CharacteristicDelta,
    },
    /// The installed product goes away (action `delete`). `replaced_by` names the add item of a
    /// migrate pair, which carries the service work of both items.
    Cease {
        instance: ProductId,
        replaced_by: Option<ItemId>,
    },
    /// Nothing to do (action `noChange`, e.g. the unchanged members of a bundle).
    NoChange { instance: Option<ProductId> },
    /// A change of offering for an installed product (copper to fibre, a new price plan): a
    /// modify naming another offering, or an add that `replaces` a delete item of the order.
    Migrate {
        from_product: ProductId,
        from_offering: OfferingId,
        to_offering: OfferingId,
        /// From the old instance to the desired product.
        delta: CharacteristicDelta,
        /// The delete item the add replaces, for a migrate pair.
        replaces: Option<ItemId>,
    },
}

/// Why an item could not be classified.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrderTypeError {
    #[error("item `{item}` must name the installed product it acts on ({})", .action.as_str())]
    MissingInstance { item: ItemId, action: ItemAction },
    #[error("item `{item}` refers to product `{product}`, which is not in inventory")]
    UnknownInstance { item: ItemId, product: ProductId },
    #[error("item `{item}` refers to product `{product}`, which is {status:?}")]
    InstanceNotLive {
        item: ItemId,
        product: ProductId,
        status: ProductStatus,
    },
    #[error("item `{item}` replaces another item but names no offering to migrate to")]
    MissingOffering { item: ItemId },
    #[error("item `{item}` replaces `{target}`, which is not a delete item")]
    ReplacesNonDelete { item: ItemId, target: ItemId },
    #[error("item `{item}` is a {} item; only an add item can replace another", .action.as_str())]
    ReplacementNotAdd { item: ItemId, action: ItemAction },
    #[error("item `{item}` replaces more than one item")]
    ReplacesSeveral { item: ItemId },
    #[error("items `{first}` and `{second}` both replace `{target}`")]
    ReplacedTwice {
        target: ItemId,
        first: ItemId,
        second: ItemId,
    },
    #[error("item `{item}` relates to `{target}`, which is not an item of this order")]
    UnknownRelatedItem { item: ItemId, target: ItemId },
    #[error("the item dependencies form a cycle: {}", cycle_text(.items))]
    DependencyCycle {
        /// Each item must come before the next one, and the last before the first.
        items: Vec<ItemId>,
    },
}

fn cycle_text(items: &[ItemId]) -> String {
    let mut out = String::new();
    for item in items.iter().chain(items.first()) {
        if !out.is_empty() {
            out.push_str(" -> ");
        }
        out.push_str(item.as_str());
    }
    out
}

/// Classifies one item of `order` (the order is needed to pair an add with the delete item it
/// replaces). Reads the installed product from `inventory`.
pub fn classify(
    item: &OrderItem,
    order: &ProductOrder,
    inventory: &dyn Inventory,
) -> Result<ItemIntent, OrderTypeError> {
    let mut replaced = None;
    for rel in &item.relationships {
        if rel.kind != ItemRelationshipType::Replaces {
            continue;
        }
        if item.action != ItemAction::Add {
            return Err(OrderTypeError::ReplacementNotAdd {
                item: item.id.clone(),
                action: item.action,
            });
        }
        if replaced.is_some() {
            return Err(OrderTypeError::ReplacesSeveral {
                item: item.id.clone(),
            });
        }
        replaced = Some(&rel.item);
    }

    match item.action {
        ItemAction::Add => {
            let Some(target_id) = replaced else {
                return Ok(ItemIntent::Provide);
            };
            let target =
                order
                    .item(target_id)
                    .ok_or_else(|| OrderTypeError::UnknownRelatedItem {
                        item: item.id.clone(),
                        target: target_id.clone(),
                    })?;
            if target.action != ItemAction::Delete {
                return Err(OrderTypeError::ReplacesNonDelete {
                    item: item.id.clone(),
                    target: target_id.clone(),
                });
            }
            let instance = live_instance(target, inventory)?;
            let to_offering =
                item.offering
                    .clone()
                    .ok_or_else(|| OrderTypeError::MissingOffering {
                        item: item.id.clone(),
                    })?;
            Ok(migrate(
                instance,
                to_offering,
                item,
                Some(target.id.clone()),
            ))
        }
        ItemAction::Delete => {
            let instance = live_instance(item, inventory)?;
            let replaced_by = replacer_of(item, order)?;
            Ok(ItemIntent::Cease {
                instance: instance.id.clone(),
                replaced_by,
            })
        }
        ItemAction::NoChange => Ok(ItemIntent::NoChange {
            instance: item.product.existing.clone(),
        }),
        ItemAction::Modify => {
            let instance = live_instance(item, inventory)?;
            Ok(match &item.offering {
                Some(offering) if *offering != instance.offering => {
                    migrate(instance, offering.clone(), item, None)
                }
                _ => ItemIntent::Modify {
                    instance: instance.id.clone(),
                    delta: delta_of(instance, item),
                },
            })
        }
    }
}

fn migrate(
    instance: &ProductInstance,
    to_offering: OfferingId,
    item: &OrderItem,
    replaces: Option<ItemId>,
) -> ItemIntent {
    ItemIntent::Migrate {
        from_product: instance.id.clone(),
        from_offering: instance.offering.clone(),
        to_offering,
        delta: delta_of(instance, item),
        replaces,
    }
}

fn delta_of(instance: &ProductInstance, item: &OrderItem) -> CharacteristicDelta {
    CharacteristicDelta::between(
        &instance.characteristics,
        instance.place.as_ref(),
        &item.product.characteristics,
        item.product.place.as_ref(),
    )
}

/// The live installed product an item acts on.
fn live_instance<'i>(
    item: &OrderItem,
    inventory: &'i dyn Inventory,
) -> Result<&'i ProductInstance, OrderTypeError> {
    let product =
        item.product
            .existing
            .as_ref()
            .ok_or_else(|| OrderTypeError::MissingInstance {
                item: item.id.clone(),
                action: item.action,
            })?;
    let instance = inventory
        .product(product)
        .ok_or_else(|| OrderTypeError::UnknownInstance {
            item: item.id.clone(),
            product: product.clone(),
        })?;
    if !instance.is_live() {
        return Err(OrderTypeError::InstanceNotLive {
            item: item.id.clone(),
            product: product.clone(),
            status: instance.status,
        });
    }
    Ok(instance)
}

/// The add item of `order` that replaces `item`, if any.
fn replacer_of(item: &OrderItem, order: &ProductOrder) -> Result<Option<ItemId>, OrderTypeError> {
    let mut found: Option<&ItemId> = None;
    for other in &order.items {
        let replaces_item = other
            .relationships
            .iter()
            .any(|r| r.kind == ItemRelationshipType::Replaces && r.item == item.id);
        if !replaces_item || other.action != ItemAction::Add {
            continue;
        }
        if let Some(first) = found {
            return Err(OrderTypeError::ReplacedTwice {
                target: item.id.clone(),
                first: first.clone(),
                second: other.id.clone(),
            });
        }
        found = Some(&other.id);
    }
    Ok(found.cloned())
}

/// The intent of every item, in item order.
pub fn classify_order(
    order: &ProductOrder,
    inventory: &dyn Inventory,
) -> Result<Vec<ItemIntent>, OrderTypeError> {
    order
        .items
        .iter()
        .map(|item| classify(item, order, inventory))
        .collect()
}

/// What the order as a whole does, for display and routing (e.g. cease orders to retention).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum OrderType {
    Provide,
    Modify,
    Cease,
    Migrate,
    /// Every item is `noChange`.
    NoChange,
    /// Items of different kinds (e.g. a new TV plus a broadband speed change).
    Mixed,
}

impl OrderType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Provide => "provide",
            Self::Modify => "modify",
            Self::Cease => "cease",
            Self::Migrate => "migrate",
            Self::NoChange => "noChange",
            Self::Mixed => "mixed",
        }
    }

    /// The order type for these item intents. `noChange` items, and the delete half of a
    /// migrate pair, do not count.
    pub fn of<'a>(intents: impl IntoIterator<Item = &'a ItemIntent>) -> Self {
        let mut kind: Option<Self> = None;
        for intent in intents {
            let this = match intent {
                ItemIntent::Provide => Self::Provide,
                ItemIntent::Modify { .. } => Self::Modify,
                ItemIntent::Cease {
                    replaced_by: None, ..
                } => Self::Cease,
                ItemIntent::Migrate { .. } => Self::Migrate,
                ItemIntent::Cease {
                    replaced_by: Some(_),
                    ..
                }
                | ItemIntent::NoChange { .. } => continue,
            };
            match kind {
                None => kind = Some(this),
                Some(k) if k == this => {}
                Some(_) => return Self::Mixed,
            }
        }
        kind.unwrap_or(Self::NoChange)
    }
}

impl fmt::Display for OrderType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The type of the whole order.
pub fn order_type(
    order: &ProductOrder,
    inventory: &dyn Inventory,
) -> Result<OrderType, OrderTypeError> {
    Ok(OrderType::of(&classify_order(order, inventory)?))
}

/// The items of `order` in an order they can be fulfilled in: an item comes after every item it
/// `reliesOn`, a bundled child after its bundle, and a replaced (delete) item after the add item
/// replacing it (make before break). Ties keep the order's item order. A cycle is an error
/// naming the items on it.
pub fn item_dependency_order(order: &ProductOrder) -> Result<Vec<ItemId>, OrderTypeError> {
    let graph = ItemGraph::of(order)?;
    Ok(graph
        .sequence
        .iter()
        .filter_map(|&i| order.items.get(i).map(|item| item.id.clone()))
        .collect())
}

/// The items of an order as a graph: positions in `order.items`, in dependency order.
#[derive(Debug)]
pub(crate) struct ItemGraph<'o> {
    /// Positions of the items, each after the ones it depends on.
    pub sequence: Vec<usize>,
    /// `(dependent, prerequisite)` for every `reliesOn` relationship.
    pub relies_on: Vec<(usize, usize)>,
    index: PositionIndex<&'o ItemId>,
}

impl<'o> ItemGraph<'o> {
    pub fn of(order: &'o ProductOrder) -> Result<Self, OrderTypeError> {
        let n = order.items.len();
        let mut index = PositionIndex::with_capacity(n);
        for (i, item) in order.items.iter().enumerate() {
            index.insert_if_absent(&item.id, i);
        }
        // (before, after)
        let mut edges: Vec<(usize, usize)> = Vec::new();
        let mut relies_on = Vec::new();
        for (i, item) in order.items.iter().enumerate() {
            for rel in &item.relationships {
                let t =
                    index
                        .get(&&rel.item)
                        .ok_or_else(|| OrderTypeError::UnknownRelatedItem {
                            item: item.id.clone(),
                            target: rel.item.clone(),
                        })?;
                match rel.kind {
                    ItemRelationshipType::ReliesOn => {
                        edges.push((t, i));
                        relies_on.push((i, t));
                    }
                    ItemRelationshipType::BundledIn => edges.push((t, i)),
                    ItemRelationshipType::Replaces => edges.push((i, t)),
                }
            }
        }
        if edges.is_empty() {
            return Ok(Self {
                sequence: (0..n).collect(),
                relies_on,
                index,
            });
        }
        edges.sort_unstable();
        edges.dedup();

        // Successors of `b` are edges[start[b]..start[b + 1]] (edges are sorted by `before`);
        // an item's in-degree becomes DONE once it is placed.
        const DONE: usize = usize::MAX;
        let mut counts = vec![0usize; 2 * n + 1];
        let (start, in_degree) = counts.split_at_mut(n + 1);
        for &(b, a) in &edges {
            start[b + 1] += 1;
            in_degree[a] += 1;
        }
        for i in 0..n {
            start[i + 1] += start[i];
        }
        let mut ready: BinaryHeap<Reverse<usize>> =
            (0..n).filter(|&i| in_degree[i] == 0).map(Reverse).collect();
        let mut sequence = Vec::with_capacity(n);
        while let Some(Reverse(b)) = ready.pop() {
            sequence.push(b);
            in_degree[b] = DONE;
            for &(_, a) in edges.get(start[b]..start[b + 1]).unwrap_or_default() {
                in_degree[a] -= 1;
                if in_degree[a] == 0 {
                    ready.push(Reverse(a));
                }
            }
        }
        if sequence.len() < n {
            let done: Vec<bool> = in_degree.iter().map(|&d| d == DONE).collect();
            let items = find_cycle(&edges, &done)
                .into_iter()
                .filter_map(|i| order.items.get(i).map(|item| item.id.clone()))
                .collect();
            return Err(OrderTypeError::DependencyCycle { items });
        }
        Ok(Self {
            sequence,
            relies_on,
            index,
        })
    }

    /// The position of an item in the order.
    pub fn position(&self, id: &ItemId) -> Option<usize> {
        self.index.get(&id)
    }
}

/// Positions by key. Orders have a handful of items, so a short list is scanned; past
/// [`PositionIndex::SCAN_LIMIT`] entries a hash map takes over, so large orders stay linear.
#[derive(Debug)]
pub(crate) struct PositionIndex<K> {
    list: Vec<(K, usize)>,
    map: Option<HashMap<K, usize>>,
}

impl<K: Copy + Eq + std::hash::Hash> PositionIndex<K> {
    const SCAN_LIMIT: usize = 24;

    pub fn with_capacity(n: usize) -> Self {
        Self {
            list: Vec::with_capacity(n.min(Self::SCAN_LIMIT)),
            map: None,
        }
    }

    pub fn get(&self, key: &K) -> Option<usize> {
        match &self.map {
            Some(map) => map.get(key).copied(),
            None => self.list.iter().find(|(k, _)| k == key).map(|(_, v)| *v),
        }
    }

    /// Keeps the first position given for a key.
    pub fn insert_if_absent(&mut self, key: K, position: usize) {
        if let Some(map) = &mut self.map {
            map.entry(key).or_insert(position);
            return;
        }
        if self.get(&key).is_some() {
            return;
        }
        self.list.push((key, position));
        if self.list.len() > Self::SCAN_LIMIT {
            let mut map = HashMap::with_capacity(self.list.len() * 2);
            for (k, v) in self.list.drain(..) {
                map.entry(k).or_insert(v);
            }
            self.map = Some(map);
        }
    }
}

/// A cycle among the items Kahn's algorithm could not place (`done` false). Every such item has
/// a predecessor that is not done either, so walking predecessors must revisit an item.
fn find_cycle(edges: &[(usize, usize)], done: &[bool]) -> Vec<usize> {
    let Some(first) = done.iter().position(|d| !d) else {
        return Vec::new();
    };
    let mut path = vec![first];
    let mut current = first;
    for _ in 0..done.len() {
        let predecessor = edges
            .iter()
            .find(|&&(b, a)| a == current && !done.get(b).copied().unwrap_or(true))
            .map(|&(b, _)| b);
        let Some(p) = predecessor else { break };
        if let Some(k) = path.iter().position(|&x| x == p) {
            let mut cycle = path.split_off(k);
            cycle.reverse();
            if let Some(min_at) = (0..cycle.len()).min_by_key(|&i| cycle[i]) {
                cycle.rotate_left(min_at);
            }
            return cycle;
        }
        path.push(p);
        current = p;
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decomposition::support::*;
    use proptest::prelude::*;
    use rstest::rstest;

    fn chars(list: &[(&str, &str)]) -> Vec<Characteristic> {
        list.iter()
            .map(|(n, v)| Characteristic::text(*n, *v))
            .collect()
    }

    #[rstest]
    #[case::add(add("I1", BB, Some(ADDR_GPON)), "provide")]
    #[case::delete(delete("I1", P_BB), "cease")]
    #[case::no_change(no_change("I1", P_BB), "noChange")]
    #[case::modify_same_offering(modify("I1", P_BB, Some(BB), &[("bandwidth", "1000")]), "modify")]
    #[case::modify_without_offering(modify("I1", P_BB, None, &[("bandwidth", "500")]), "modify")]
    #[case::modify_other_offering(modify("I1", P_ADSL, Some(BB), &[]), "migrate")]
    fn classifies_single_items(#[case] item: OrderItem, #[case] expected: &str) {
        let order = order_of(vec![item]);
        let world = World::standard();
        let intent = classify(&order.items[0], &order, &world.inventory).unwrap();
        let kind = match intent {
            ItemIntent::Provide => "provide",
            ItemIntent::Modify { .. } => "modify",
            ItemIntent::Cease { .. } => "cease",
            ItemIntent::NoChange { .. } => "noChange",
            ItemIntent::Migrate { .. } => "migrate",
        };
        assert_eq!(kind, expected);
    }

    #[test]
    fn modify_carries_only_the_delta() {
        // P_BB has bandwidth=500, router=R1, staticIp=false at ADDR_GPON.
        let item = modify(
            "I1",
            P_BB,
            Some(BB),
            &[("bandwidth", "1000"), ("router", "R1"), ("wifi", "6")],
        );
        let order = order_of(vec![item]);
        let world = World::standard();
        let ItemIntent::Modify { instance, delta } =
            classify(&order.items[0], &order, &world.inventory).unwrap()
        else {
            panic!("not a modify");
        };
        assert_eq!(instance, ProductId::new(P_BB));
        assert_eq!(delta.added, chars(&[("wifi", "6")]));
        assert_eq!(
            delta.changed,
            vec![CharacteristicChange {
                name: "bandwidth".into(),
                from: CharacteristicValue::Text("500".into()),
                to: CharacteristicValue::Text("1000".into()),
            }]
        );
        assert_eq!(delta.removed, chars(&[("staticIp", "false")]));
        assert_eq!(delta.moved, None);
        assert!(delta.touches("bandwidth") && delta.touches("staticIp") && delta.touches("wifi"));
        assert!(!delta.touches("router"));
    }

    #[rstest]
    #[case::same_place(Some("A"), Some("A"), None)]
    #[case::no_place_keeps_it(Some("A"), None, None)]
    #[case::moved(Some("A"), Some("B"), Some((Some("A"), "B")))]
    #[case::placed_for_the_first_time(None, Some("B"), Some((None, "B")))]
    fn a_place_change_is_a_move(
        #[case] current: Option<&str>,
        #[case] desired: Option<&str>,
        #[case] expected: Option<(Option<&str>, &str)>,
    ) {
        let current = current.map(AddressId::new);
        let desired = desired.map(AddressId::new);
        let delta = CharacteristicDelta::between(&[], current.as_ref(), &[], desired.as_ref());
        let expected = expected.map(|(from, to)| PlaceChange {
            from: from.map(AddressId::new),
            to: AddressId::new(to),
        });
        assert_eq!(delta.is_empty(), expected.is_none());
        assert_eq!(delta.moved, expected);
    }

    #[test]
    fn equal_values_of_different_kinds_are_no_change() {
        let current = vec![Characteristic {
            name: "bandwidth".into(),
            value: CharacteristicValue::Number(rust_decimal::Decimal::new(5000, 1)),
        }];
        let desired = chars(&[("bandwidth", "500")]);
        assert!(CharacteristicDelta::between(&current, None, &desired, None).is_empty());
        let desired = chars(&[("bandwidth", "501")]);
        assert!(!CharacteristicDelta::between(&current, None, &desired, None).is_empty());
    }

    #[test]
    fn an_add_replacing_a_delete_is_a_migrate_pair() {
        let old = delete("OLD", P_ADSL);
        let new = add("NEW", BB, Some(ADDR_MIGRATE))
            .with_chars(&[("bandwidth", "1000"), ("router", "R1")])
            .related("OLD", ItemRelationshipType::Replaces);
        let order = order_of(vec![old, new]);
        let world = World::standard();
        let intents = classify_order(&order, &world.inventory).unwrap();
        assert_eq!(
            intents[0],
            ItemIntent::Cease {
                instance: ProductId::new(P_ADSL),
                replaced_by: Some(ItemId::new("NEW")),
            }
        );
        let ItemIntent::Migrate {
            from_product,
            from_offering,
            to_offering,
            delta,
            replaces,
        } = &intents[1]
        else {
            panic!("not a migrate: {:?}", intents[1]);
        };
        assert_eq!(from_product, &ProductId::new(P_ADSL));
        assert_eq!(from_offering, &OfferingId::new(ADSL));
        assert_eq!(to_offering, &OfferingId::new(BB));
        assert_eq!(replaces, &Some(ItemId::new("OLD")));
        assert!(delta.touches("bandwidth") && !delta.touches("router"));
        assert_eq!(OrderType::of(&intents), OrderType::Migrate);
    }

    #[rstest]
    #[case::delete_without_instance(
        vec![OrderItem::new("I1", ItemAction::Delete, None)],
        OrderTypeError::MissingInstance { item: "I1".into(), action: ItemAction::Delete }
    )]
    #[case::modify_unknown_instance(
        vec![modify("I1", "P-NOWHERE", None, &[])],
        OrderTypeError::UnknownInstance { item: "I1".into(), product: "P-NOWHERE".into() }
    )]
    #[case::cease_terminated(
        vec![delete("I1", P_DEAD)],
        OrderTypeError::InstanceNotLive {
            item: "I1".into(), product: P_DEAD.into(), status: ProductStatus::Terminated
        }
    )]
    #[case::replaces_a_modify(
        vec![
            modify("OLD", P_ADSL, None, &[]),
            add("NEW", BB, None).related("OLD", ItemRelationshipType::Replaces),
        ],
        OrderTypeError::ReplacesNonDelete { item: "NEW".into(), target: "OLD".into() }
    )]
    #[case::a_modify_replaces(
        vec![
            delete("OLD", P_ADSL),
            modify("NEW", P_BB, None, &[]).related("OLD", ItemRelationshipType::Replaces),
        ],
        OrderTypeError::ReplacementNotAdd { item: "NEW".into(), action: ItemAction::Modify }
    )]
    #[case::replaced_twice(
        vec![
            delete("OLD", P_ADSL),
            add("N1", BB, None).related("OLD", ItemRelationshipType::Replaces),
            add("N2", BB, None).related("OLD", ItemRelationshipType::Replaces),
        ],
        OrderTypeError::ReplacedTwice {
            target: "OLD".into(), first: "N1".into(), second: "N2".into()
        }
    )]
    #[case::migrate_pair_without_offering(
        vec![
            delete("OLD", P_ADSL),
            OrderItem::new("NEW", ItemAction::Add, None)
                .related("OLD", ItemRelationshipType::Replaces),
        ],
        OrderTypeError::MissingOffering { item: "NEW".into() }
    )]
    fn refuses_items_it_cannot_classify(
        #[case] items: Vec<OrderItem>,
        #[case] expected: OrderTypeError,
    ) {
        let order = order_of(items);
        let world = World::standard();
        assert_eq!(classify_order(&order, &world.inventory), Err(expected));
    }

    #[rstest]
    #[case::all_adds(vec![add("A", BB, None), add("B", TV, None)], OrderType::Provide)]
    #[case::modify_and_no_change(
        vec![modify("A", P_BB, None, &[]), no_change("B", P_TV)],
        OrderType::Modify
    )]
    #[case::cease(vec![delete("A", P_BB), delete("B", P_TV)], OrderType::Cease)]
    #[case::migrate(vec![modify("A", P_ADSL, Some(BB), &[])], OrderType::Migrate)]
    #[case::only_no_change(vec![no_change("A", P_BB)], OrderType::NoChange)]
    #[case::mixed(vec![add("A", TV, None), delete("B", P_BB)], OrderType::Mixed)]
    fn types_the_whole_order(#[case] items: Vec<OrderItem>, #[case] expected: OrderType) {
        let order = order_of(items);
        let world = World::standard();
        assert_eq!(order_type(&order, &world.inventory), Ok(expected));
    }

    fn ids(list: &[&str]) -> Vec<ItemId> {
        list.iter().map(|s| ItemId::new(*s)).collect()
    }

    #[rstest]
    #[case::no_relationships(vec![("A", vec![]), ("B", vec![])], &["A", "B"])]
    #[case::relies_on_a_later_item(
        vec![("A", vec![("B", ItemRelationshipType::ReliesOn)]), ("B", vec![])],
        &["B", "A"]
    )]
    #[case::bundle_before_children(
        vec![
            ("TV", vec![("BUNDLE", ItemRelationshipType::BundledIn)]),
            ("BB", vec![("BUNDLE", ItemRelationshipType::BundledIn)]),
            ("BUNDLE", vec![]),
        ],
        &["BUNDLE", "TV", "BB"]
    )]
    #[case::replacement_before_replaced(
        vec![("OLD", vec![]), ("NEW", vec![("OLD", ItemRelationshipType::Replaces)])],
        &["NEW", "OLD"]
    )]
    #[case::chain(
        vec![
            ("C", vec![("B", ItemRelationshipType::ReliesOn)]),
            ("B", vec![("A", ItemRelationshipType::ReliesOn)]),
            ("A", vec![]),
        ],
        &["A", "B", "C"]
    )]
    fn orders_items_by_dependency(
        #[case] items: Vec<(&str, Vec<(&str, ItemRelationshipType)>)>,
        #[case] expected: &[&str],
    ) {
        let order = order_with_relationships(&items);
        assert_eq!(item_dependency_order(&order), Ok(ids(expected)));
    }

    #[rstest]
    #[case::two_items(
        vec![
            ("A", vec![("B", ItemRelationshipType::ReliesOn)]),
            ("B", vec![("A", ItemRelationshipType::ReliesOn)]),
        ],
        &["A", "B"]
    )]
    #[case::three_items_behind_a_free_one(
        vec![
            ("FREE", vec![]),
            ("X", vec![("Z", ItemRelationshipType::ReliesOn)]),
            ("Y", vec![("X", ItemRelationshipType::BundledIn)]),
            ("Z", vec![("Y", ItemRelationshipType::ReliesOn)]),
            ("TAIL", vec![("X", ItemRelationshipType::ReliesOn)]),
        ],
        &["X", "Y", "Z"]
    )]
    fn a_dependency_cycle_is_an_error(
        #[case] items: Vec<(&str, Vec<(&str, ItemRelationshipType)>)>,
        #[case] cycle: &[&str],
    ) {
        let order = order_with_relationships(&items);
        assert_eq!(
            item_dependency_order(&order),
            Err(OrderTypeError::DependencyCycle { items: ids(cycle) })
        );
    }

    #[test]
    fn a_long_chain_is_ordered_back_to_front() {
        // Past the point where the item index becomes a map.
        let names: Vec<String> = (0..60).map(|i| format!("I{i:02}")).collect();
        let items: Vec<(&str, Vec<(&str, ItemRelationshipType)>)> = names
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let rels = names
                    .get(i + 1)
                    .map(|next| vec![(next.as_str(), ItemRelationshipType::ReliesOn)])
                    .unwrap_or_default();
                (name.as_str(), rels)
            })
            .collect();
        let order = order_with_relationships(&items);
        let expected: Vec<ItemId> = names
            .iter()
            .rev()
            .map(|n| ItemId::new(n.as_str()))
            .collect();
        assert_eq!(item_dependency_order(&order), Ok(expected));
    }

    proptest! {
        #[test]
        fn dependency_order_respects_every_edge_or_names_a_real_cycle(
            edges in proptest::collection::vec((0usize..7, 0usize..7, 0usize..3), 0..12)
        ) {
            let names = ["A", "B", "C", "D", "E", "F", "G"];
            let kinds = [
                ItemRelationshipType::ReliesOn,
                ItemRelationshipType::BundledIn,
                ItemRelationshipType::Replaces,
            ];
            let mut items: Vec<(&str, Vec<(&str, ItemRelationshipType)>)> =
                names.iter().map(|n| (*n, Vec::new())).collect();
            // (before, after) pairs the order must respect.
            let mut before_after = Vec::new();
            for (from, to, kind) in edges {
                if from == to {
                    continue;
                }
                items[from].1.push((names[to], kinds[kind]));
                before_after.push(if kind == 2 { (from, to) } else { (to, from) });
            }
            let order = order_with_relationships(&items);
            match item_dependency_order(&order) {
                Ok(sequence) => {
                    prop_assert_eq!(sequence.len(), names.len());
                    let pos = |i: usize| sequence.iter().position(|s| s.as_str() == names[i]);
                    for (b, a) in before_after {
                        prop_assert!(pos(b) < pos(a));
                    }
                }
                Err(OrderTypeError::DependencyCycle { items: cycle }) => {
                    prop_assert!(!cycle.is_empty());
                    let idx = |id: &ItemId| names.iter().position(|n| *n == id.as_str());
                    for (k, id) in cycle.iter().enumerate() {
                        let next = &cycle[(k + 1) % cycle.len()];
                        let (Some(b), Some(a)) = (idx(id), idx(next)) else {
                            return Err(TestCaseError::fail("unknown item in cycle"));
                        };
                        prop_assert!(before_after.contains(&(b, a)));
                    }
                }
                Err(other) => return Err(TestCaseError::fail(other.to_string())),
            }
        }
    }
}
