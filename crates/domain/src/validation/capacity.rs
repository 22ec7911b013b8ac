//! Port capacity pre-check: each new access (an add of a port-taking category, broadband by
//! default) needs a free port for its technology at the exchange serving the address. Items of
//! one order at the same exchange and technology count together. No free port holds the order
//! in the capacity queue until network planning adds ports, suggesting an offering over another
//! technology of the address that has ports; few ports left is a warning to the planners.
//!
//! A pre-check, not a reservation: the port is reserved by fulfilment (SOM), and capacity can
//! change in between. Left to others: whether the address and technology qualify at all
//! (address qualification, which this check trusts and skips when they do not).

use crate::catalog::{ProductOffering, Technology};
use crate::ids::ExchangeId;
use crate::order::{ItemAction, ProductOrder};
use crate::reference::{Address, Exchange};

use super::{
    alternative, codes, path, serving_technology, Check, CheckKind, CheckResult, Outcome,
    ValidationContext,
};

const KIND: CheckKind = CheckKind::Inventory;

#[derive(Debug, Clone, Copy, Default)]
pub struct PortCapacity;

/// Ports this order takes so far, per exchange and technology.
struct Demand<'a>(Vec<(&'a ExchangeId, Technology, u32)>);

impl<'a> Demand<'a> {
    fn take(&mut self, exchange: &'a ExchangeId, technology: Technology, ports: u32) -> u32 {
        if let Some(entry) = self
            .0
            .iter_mut()
            .find(|(e, t, _)| *e == exchange && *t == technology)
        {
            entry.2 = entry.2.saturating_add(ports);
            return entry.2;
        }
        self.0.push((exchange, technology, ports));
        ports
    }

    fn taken(&self, exchange: &ExchangeId, technology: Technology) -> u32 {
        self.0
            .iter()
            .find(|(e, t, _)| *e == exchange && *t == technology)
            .map_or(0, |(_, _, n)| *n)
    }
}

impl Check for PortCapacity {
    fn kind(&self) -> CheckKind {
        KIND
    }

    fn run(&self, order: &ProductOrder, ctx: &ValidationContext<'_>, out: &mut Vec<CheckResult>) {
        let start = out.len();
        let mut demand = Demand(Vec::new());
        for (index, item) in order.items.iter().enumerate() {
            if item.action != ItemAction::Add {
                continue;
            }
            let Some(offering) = item
                .offering
                .as_ref()
                .and_then(|id| ctx.catalog.offering(id))
            else {
                continue;
            };
            if !ctx.policy.capacity.takes_port(&offering.category) {
                continue;
            }
            let Some(address) = item
                .product
                .place
                .as_ref()
                .and_then(|p| ctx.addresses.address(p))
            else {
                continue;
            };
            let (Some(exchange_id), Some(technology)) =
                (&address.exchange, serving_technology(offering, address))
            else {
                continue;
            };
            let Some(exchange) = ctx.addresses.exchange(exchange_id) else {
                out.push(
                    CheckResult::new(
                        KIND,
                        Outcome::Hold,
                        codes::INVENTORY_EXCHANGE_UNKNOWN,
                        format!(
                            "{} is served by exchange {exchange_id}, which the network inventory \
                             does not know",
                            address.one_line()
                        ),
                    )
                    .at(index, item, path::PLACE),
                );
                continue;
            };
            let taken = demand.take(exchange_id, technology, item.quantity);
            let free = exchange.free_ports(technology);
            let result = if taken > free {
                let result = CheckResult::new(
                    KIND,
                    Outcome::Hold,
                    codes::INVENTORY_EXCHANGE_FULL,
                    format!(
                        "No free {technology} port at {} for {}: the order waits for capacity",
                        exchange.name,
                        address.one_line()
                    ),
                )
                .at(index, item, path::PLACE);
                match free_elsewhere(offering, technology, address, exchange, &demand, order, ctx) {
                    Some((other_technology, other)) => result.suggest(
                        format!("{other_technology} available here: {}", other.name),
                        Some(other.id.clone()),
                    ),
                    None => result,
                }
            } else {
                let left = free - taken;
                let (outcome, code) = if left < ctx.policy.capacity.low_ports_warn_below {
                    (Outcome::Warn, codes::INVENTORY_LOW_CAPACITY)
                } else {
                    (Outcome::Pass, codes::INVENTORY_OK)
                };
                CheckResult::new(
                    KIND,
                    outcome,
                    code,
                    format!(
                        "{technology} port available at {}; {left} left after this order",
                        exchange.name
                    ),
                )
                .at(index, item, path::PLACE)
            };
            out.push(result);
        }
        if out.len() == start {
            out.push(CheckResult::new(
                KIND,
                Outcome::Pass,
                codes::INVENTORY_OK,
                "No item needs an access port",
            ));
        }
    }
}

/// An offering like `offering` over another technology of the address that still has a port.
fn free_elsewhere<'c>(
    offering: &ProductOffering,
    full: Technology,
    address: &Address,
    exchange: &Exchange,
    demand: &Demand<'_>,
    order: &ProductOrder,
    ctx: &ValidationContext<'c>,
) -> Option<(Technology, &'c ProductOffering)> {
    address
        .technologies
        .iter()
        .copied()
        .filter(|&t| t != full && exchange.free_ports(t) > demand.taken(&exchange.id, t))
        .find_map(|t| {
            alternative(ctx.catalog, offering, order.order_date, |o| {
                o.technologies.contains(&t)
            })
            .map(|o| (t, o))
        })
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;
    use crate::ids::OfferingId;

    fn check(w: &TestWorld, order: &ProductOrder) -> Vec<CheckResult> {
        w.run(&PortCapacity, order)
    }

    #[test]
    fn a_free_port_passes() {
        let w = TestWorld::new();
        let results = check(&w, &w.order(vec![fibre("1")]));
        let found = only(&results, codes::INVENTORY_OK);
        assert_eq!(found.outcome, Outcome::Pass);
        assert_eq!(
            found.message,
            "GPON port available at Northtown Central; 39 left after this order"
        );
        assert_eq!(found.item.as_ref().unwrap().as_str(), "1");
    }

    #[test]
    fn services_riding_on_the_line_take_no_port() {
        let w = TestWorld::new();
        let order = w.order(vec![
            add("1", "TV-BASIC"),
            add("2", "VOICE-HOME").at("ADDR-BUSY"),
        ]);
        let results = check(&w, &order);
        assert_eq!(codes_of(&results), [codes::INVENTORY_OK]);
        assert_eq!(results[0].message, "No item needs an access port");
    }

    #[test]
    fn a_full_exchange_holds_and_suggests_a_technology_with_ports() {
        let w = TestWorld::new();
        // 4 Busy Avenue: GPON full, HFC has 20 ports.
        let order = w.order(vec![add("1", "FIBRE-500")
            .at("ADDR-BUSY")
            .with("speed", "500")]);
        let results = check(&w, &order);
        let found = only(&results, codes::INVENTORY_EXCHANGE_FULL);
        assert_eq!(found.outcome, Outcome::Hold);
        assert_eq!(
            found.field.as_deref(),
            Some("productOrderItem[0].product.place[0].id")
        );
        let suggestion = found.suggestion.as_ref().unwrap();
        assert_eq!(
            suggestion.message,
            "HFC available here: SuperFibre 100 Cable"
        );
        assert_eq!(suggestion.offering, Some(OfferingId::new("CABLE-100")));
    }

    #[test]
    fn no_suggestion_when_every_technology_is_full() {
        let mut w = TestWorld::new();
        w.exchange_mut("EX-BUSY").free_ports = vec![];
        let order = w.order(vec![add("1", "FIBRE-500").at("ADDR-BUSY")]);
        let results = check(&w, &order);
        assert_eq!(
            only(&results, codes::INVENTORY_EXCHANGE_FULL).suggestion,
            None
        );
    }

    #[test]
    fn items_of_one_order_share_the_free_ports() {
        let mut w = TestWorld::new();
        w.policy.capacity.low_ports_warn_below = 0;
        w.exchange_mut("EX-NORTH").free_ports = vec![(Technology::Gpon, 2)];
        let order = w.order(vec![fibre("1"), fibre("2"), fibre("3")]);
        assert_eq!(
            codes_of(&check(&w, &order)),
            [
                codes::INVENTORY_OK,
                codes::INVENTORY_OK,
                codes::INVENTORY_EXCHANGE_FULL
            ]
        );
        let order = w.order(vec![fibre("1").quantity(3)]);
        assert_eq!(
            codes_of(&check(&w, &order)),
            [codes::INVENTORY_EXCHANGE_FULL]
        );
    }

    #[test]
    fn few_ports_left_warns() {
        let mut w = TestWorld::new();
        w.exchange_mut("EX-NORTH").free_ports = vec![(Technology::Gpon, 5)];
        let results = check(&w, &w.order(vec![fibre("1")]));
        let found = only(&results, codes::INVENTORY_LOW_CAPACITY);
        assert_eq!(found.outcome, Outcome::Warn);
        assert!(found.message.contains("4 left"), "{}", found.message);
        w.exchange_mut("EX-NORTH").free_ports = vec![(Technology::Gpon, 6)];
        assert_eq!(
            codes_of(&check(&w, &w.order(vec![fibre("1")]))),
            [codes::INVENTORY_OK]
        );
    }

    #[test]
    fn an_exchange_missing_from_inventory_holds() {
        let mut w = TestWorld::new();
        w.exchanges.retain(|e| e.id.as_str() != "EX-NORTH");
        let results = check(&w, &w.order(vec![fibre("1")]));
        let found = only(&results, codes::INVENTORY_EXCHANGE_UNKNOWN);
        assert_eq!(found.outcome, Outcome::Hold);
    }

    #[test]
    fn unqualified_items_are_left_to_address_qualification() {
        let w = TestWorld::new();
        let order = w.order(vec![
            add("1", "FIBRE-500").at("ADDR-HFC"),
            add("2", "FIBRE-500").at("ADDR-RURAL"),
            add("3", "FIBRE-500").at("ADDR-NOWHERE"),
            add("4", "FIBRE-500"),
        ]);
        assert_eq!(codes_of(&check(&w, &order)), [codes::INVENTORY_OK]);
    }
}
