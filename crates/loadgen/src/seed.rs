//! `seed`: fills a stopped server's data directory with [`Population`] orders, through the
//! store's public write API: [`CentralStore::write`] transactions of `--batch` orders, each
//! stored by [`CentralTx::create_order`], the same call a TMF622 create makes (order row,
//! document, item, party and external-id rows, running counts, version 1, change row). The
//! store has no faster bulk path outside its `testkit` feature, and the ordinary one keeps the
//! seeded database exactly as the server would have written it.
//!
//! The server must be stopped (it keeps reference data and users in memory and would not see
//! the orders' effects on its caches) and must have been started once with `--demo` before:
//! demo data goes into an empty database only, so a seeded database without users would
//! answer 401 to every request. Orders already stored count toward `--orders`.

use std::time::Instant;

use anyhow::{bail, Context};
use chrono::{Duration, SubsecRound, Utc};
use orderdesk_domain::{OrderState, UserId};
use orderdesk_fixtures::Fixtures;
use orderdesk_store::central::{Filter, NewOrder, Op, OrderField, OrderQuery, ReferenceKind};
use orderdesk_store::CentralStore;

use crate::cli::SeedArgs;
use crate::population::{Population, OPEN_DAYS};

/// How many orders match `filters` (the list's total; no page is read).
fn count(store: &CentralStore, filters: Vec<Filter>) -> anyhow::Result<u64> {
    let page = store.list_orders(&OrderQuery {
        filters,
        limit: 0,
        ..OrderQuery::default()
    })?;
    Ok(page.total)
}

pub fn run(args: &SeedArgs) -> anyhow::Result<()> {
    let store = CentralStore::open(&args.data_dir)
        .with_context(|| format!("cannot open the store in {}", args.data_dir.display()))?;
    if store.list_reference(ReferenceKind::User)?.is_empty() {
        bail!(
            "{} has no users: start `orderdesk-server --demo --data-dir {}` once (and stop it) \
             before seeding, or the server will refuse every request",
            args.data_dir.display(),
            args.data_dir.display()
        );
    }
    let fixtures = Fixtures::load(&args.fixtures)
        .with_context(|| format!("cannot load the fixtures in {}", args.fixtures.display()))?;
    let customers = args.customers.unwrap_or(args.orders / 4).max(1);
    let now = Utc::now().trunc_subsecs(3);
    let population = Population::from_fixtures(&fixtures, customers, now)?;

    let have = store.order_count()?;
    println!(
        "seeding {} orders into {} ({have} stored; {customers} customers, dates over two years before {now})",
        args.orders.saturating_sub(have),
        store.path().display()
    );
    let by = UserId::new("U-SEED");
    let started = Instant::now();
    let mut next = have;
    while next < args.orders {
        let end = (next + args.batch.max(1) as u64).min(args.orders);
        let orders: Vec<_> = (next..end).map(|n| population.order(n)).collect();
        store.write(|tx| {
            for order in &orders {
                let outcome = tx.create_order(&NewOrder {
                    order,
                    extensions: None,
                    idempotency_key: None,
                    by: &by,
                    at: order.order_date,
                    reason: "seeded for the benchmarks",
                    events: &[],
                })?;
                if !outcome.is_created() {
                    return Err(anyhow::anyhow!(
                        "order {} repeats a stored one: seed a fresh data directory",
                        order.id
                    ));
                }
            }
            Ok::<_, anyhow::Error>(())
        })?;
        let done = end - have;
        let secs = started.elapsed().as_secs_f64();
        println!(
            "  {end}/{} stored ({:.0} orders/s)",
            args.orders,
            done as f64 / secs.max(1e-9)
        );
        next = end;
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "seeded {} orders in {secs:.1} s ({:.0} orders/s)",
        args.orders.saturating_sub(have),
        args.orders.saturating_sub(have) as f64 / secs.max(1e-9)
    );

    let mut states = Vec::new();
    for s in OrderState::ALL {
        let n = count(&store, vec![Filter::eq(OrderField::State, s.as_str())])?;
        if n > 0 {
            states.push(format!("{}={n}", s.as_str()));
        }
    }
    println!("states: {}", states.join(" "));
    let customer = population.customer(0);
    let of_customer = count(&store, vec![Filter::eq(OrderField::Customer, &customer)])?;
    let since = (now - Duration::days(OPEN_DAYS))
        .format("%Y-%m-%d")
        .to_string();
    let recent = count(
        &store,
        vec![Filter::new(
            OrderField::OrderDate,
            Op::Gte,
            &[since.as_str()],
        )],
    )?;
    // Lines the bench script reads.
    println!("sample customer={customer} orders={of_customer}");
    println!("sample since={since} orders={recent}");
    let size = std::fs::metadata(store.path())
        .map(|m| m.len())
        .unwrap_or(0);
    println!("database file: {:.0} MiB", size as f64 / 1024.0 / 1024.0);
    Ok(())
}
