//! Capture: quotes become draft orders, drafts are validated locally with the domain pipeline
//! against the locally kept reference data, and a submitted order is stored as "awaiting sync"
//! together with its outbox entry in one local transaction, so it is created on the server
//! exactly once, whenever the server can be reached.
//!
//! The pure part (building drafts, the views of a verdict, the TMF622 create body) is plain
//! functions of their inputs; the [`Desk`] methods fetch, call them and write.

use chrono::{DateTime, Utc};
use orderdesk_domain::decomposition::{decompose, Decomposition, DecompositionContext};
use orderdesk_domain::order::{ExternalId, ItemAction, OrderItem, ProductOrder, RelatedParty};
use orderdesk_domain::reference::{Inventory, ProductInstance};
use orderdesk_domain::validation::{CheckKind, CheckResult, Decision, Outcome, Verdict};
use orderdesk_domain::{IdSource, Money, OrderId, OrderState, ProductId, SequentialIds};
use orderdesk_tmf::tmf648::{quote_to_order, Quote};
use orderdesk_tmf::{v4, v5, ApiVersion};
use serde::Serialize;
use serde_json::{json, Value};

use orderdesk_store::local::{
    LocalOrder, Method, NewOutboxEntry, OrderListQuery, OutboxKind, SyncStatusKind,
};

use crate::desk::Desk;
use crate::error::DeskError;
use crate::local::for_server;
use crate::permission::Permission;
use crate::session::Session;

/// The channel every order captured at the desk carries (the server's channel for people).
pub const DESK_CHANNEL: &str = "desk";

/// The owner of the external id the desk adds to every create: a second, server-independent
/// guard against a create reaching a TMF622 server twice.
pub const DESK_EXTERNAL_ID_OWNER: &str = "orderdesk-desk";

/// One finding of local validation, as the desk shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckView {
    pub check: CheckKind,
    /// What the desk calls the check ("Address qualification").
    pub label: &'static str,
    pub outcome: Outcome,
    /// The stable validation code (`ADDRESS_NOT_SERVICEABLE`).
    pub code: String,
    pub message: String,
    /// The TMF622 path of the field at fault.
    pub field: Option<String>,
    pub item: Option<String>,
    pub suggestion: Option<String>,
    /// The offering the suggestion swaps to, when it is one.
    pub suggested_offering: Option<String>,
    pub amount: Option<Money>,
}

impl From<&CheckResult> for CheckView {
    fn from(r: &CheckResult) -> Self {
        Self {
            check: r.check,
            label: r.check.label(),
            outcome: r.outcome,
            code: r.code.to_owned(),
            message: r.message.clone(),
            field: r.field.clone(),
            item: r.item.as_ref().map(|i| i.to_string()),
            suggestion: r.suggestion.as_ref().map(|s| s.message.clone()),
            suggested_offering: r
                .suggestion
                .as_ref()
                .and_then(|s| s.offering.as_ref())
                .map(|o| o.to_string()),
            amount: r.amount.clone(),
        }
    }
}

/// What local validation says of a draft: every result, and what the server will likely do.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LocalValidation {
    pub results: Vec<CheckView>,
    /// The most severe outcome.
    pub outcome: Outcome,
    /// For a hold: the queue (`creditReferral`, `deposit`...).
    pub hold_queue: Option<String>,
    /// The reasons of the deciding severity, one line each.
    pub reasons: Vec<String>,
}

impl LocalValidation {
    pub fn of(verdict: &Verdict) -> Self {
        let hold_queue = match &verdict.decision {
            Decision::Hold { queue, .. } => Some(queue.as_str().to_owned()),
            _ => None,
        };
        Self {
            results: verdict.results.iter().map(CheckView::from).collect(),
            outcome: verdict.outcome(),
            hold_queue,
            reasons: verdict
                .decision
                .reasons()
                .iter()
                .map(|r| format!("{}: {}", r.code, r.message))
                .collect(),
        }
    }

    pub fn is_rejected(&self) -> bool {
        self.outcome == Outcome::Reject
    }
}

/// The outcome of a submission.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Submitted {
    /// The order's local id.
    pub order: OrderId,
    /// The outbox entry that will create it on the server.
    pub outbox_entry: u64,
    pub validation: LocalValidation,
}

/// A draft from a quote: the quote's order with the desk's channel, the agent as a related
/// party and `created_by`. Pure: the id and time are passed in.
pub fn draft_from_quote(
    quote: &Quote,
    id: OrderId,
    session: &Session,
    now: DateTime<Utc>,
) -> Result<ProductOrder, DeskError> {
    let mut order = quote_to_order(quote, id, now)?;
    stamp_capture(&mut order, session);
    Ok(order)
}

/// A draft that changes one installed product: a `modify` item carrying the product's current
/// characteristics and place, for the agent to edit.
pub fn modify_draft(
    product: &ProductInstance,
    id: OrderId,
    session: &Session,
    now: DateTime<Utc>,
) -> Result<ProductOrder, DeskError> {
    product_draft(product, ItemAction::Modify, id, session, now)
}

/// A draft that ceases one installed product: a `delete` item for it.
pub fn cease_draft(
    product: &ProductInstance,
    id: OrderId,
    session: &Session,
    now: DateTime<Utc>,
) -> Result<ProductOrder, DeskError> {
    product_draft(product, ItemAction::Delete, id, session, now)
}

fn product_draft(
    product: &ProductInstance,
    action: ItemAction,
    id: OrderId,
    session: &Session,
    now: DateTime<Utc>,
) -> Result<ProductOrder, DeskError> {
    if !product.is_live() {
        return Err(DeskError::invalid(
            "productId",
            format!("product `{}` is no longer live", product.id),
        ));
    }
    let mut item = OrderItem::new("1", action, Some(product.offering.clone()));
    item.product.existing = Some(product.id.clone());
    item.product.place = product.place.clone();
    if action == ItemAction::Modify {
        item.product.characteristics = product.characteristics.clone();
    }
    let mut order = ProductOrder::new(id, product.customer.clone(), now, vec![item], true)
        .map_err(|e| DeskError::invalid("productOrderItem", e.to_string()))?;
    stamp_capture(&mut order, session);
    Ok(order)
}

fn stamp_capture(order: &mut ProductOrder, session: &Session) {
    order.channel = Some(DESK_CHANNEL.to_owned());
    order.created_by = Some(session.user_id.clone());
    if !order
        .related_parties
        .iter()
        .any(|p| p.role == "salesAgent" && p.id == session.user_id.as_str())
    {
        order.related_parties.push(RelatedParty {
            id: session.user_id.to_string(),
            role: "salesAgent".to_owned(),
            name: Some(session.name.clone()),
            referred_type: Some("Individual".to_owned()),
        });
    }
}

/// Checks that a draft coming back from the UI is one the desk may submit: well-formed, still a
/// draft, ours to send.
pub fn check_draft(order: &ProductOrder) -> Result<(), DeskError> {
    order
        .check_shape()
        .map_err(|e| DeskError::invalid("productOrderItem", e.to_string()))?;
    if order.state() != OrderState::Draft {
        return Err(DeskError::invalid(
            "state",
            format!(
                "only a draft can be submitted; this order is {}",
                order.state()
            ),
        ));
    }
    if order.customer.as_str().trim().is_empty() {
        return Err(DeskError::invalid(
            "relatedParty",
            "the order names no customer",
        ));
    }
    Ok(())
}

/// The order as it is submitted: out of draft, dated now, carrying the desk's idempotency key
/// as an external id (see [`create_body`]).
pub fn submitted_order(
    draft: &ProductOrder,
    now: DateTime<Utc>,
    idempotency_key: &str,
) -> ProductOrder {
    let mut order = draft.clone();
    order.phase.draft = false;
    order.order_date = now;
    order.state_changed_at = now;
    let key = desk_external_id(idempotency_key);
    order
        .external_ids
        .retain(|e| e.owner.as_deref() != Some(DESK_EXTERNAL_ID_OWNER));
    order.external_ids.push(ExternalId {
        owner: Some(DESK_EXTERNAL_ID_OWNER.to_owned()),
        kind: Some("idempotencyKey".to_owned()),
        id: key,
    });
    order
}

/// The external id a desk create carries for its idempotency key.
pub fn desk_external_id(idempotency_key: &str) -> String {
    format!("desk-{idempotency_key}")
}

/// What the server writes itself: never sent in a create body.
const SERVER_FIELDS: &[&str] = &[
    "id",
    "href",
    "state",
    "orderDate",
    "creationDate",
    "completionDate",
    "expectedCompletionDate",
    "cancellationDate",
    "cancellationReason",
    "requestedInitialState",
    "productOrderErrorMessage",
    "productOrderMilestone",
    "productOrderJeopardyAlert",
];

/// The TMF622 create body for `order` in `api`, carrying `idempotency_key` also as an external
/// id (v5: owned by [`DESK_EXTERNAL_ID_OWNER`]; v4, which has one external id, only when the
/// order has none), so that a server matching duplicates on external ids sees a resend as one.
pub fn create_body(order: &ProductOrder, api: ApiVersion, idempotency_key: &str) -> Value {
    let mut body = match api {
        ApiVersion::V4 => serde_json::to_value(v4::from_domain(order, "")),
        ApiVersion::V5 => serde_json::to_value(v5::from_domain(order, "")),
    }
    .unwrap_or_else(|_| json!({}));
    if let Some(obj) = body.as_object_mut() {
        for f in SERVER_FIELDS {
            obj.remove(*f);
        }
        if let Some(items) = obj
            .get_mut("productOrderItem")
            .and_then(Value::as_array_mut)
        {
            strip_item_state(items);
        }
        let key = desk_external_id(idempotency_key);
        match api {
            ApiVersion::V5 => {
                let entry = json!({
                    "id": key,
                    "owner": DESK_EXTERNAL_ID_OWNER,
                    "externalIdentifierType": "idempotencyKey",
                    "@type": "ExternalIdentifier",
                });
                match obj.get_mut("externalId").and_then(Value::as_array_mut) {
                    Some(list) => {
                        if !list.iter().any(|e| e.get("id") == Some(&json!(key))) {
                            list.push(entry);
                        }
                    }
                    None => {
                        obj.insert("externalId".into(), json!([entry]));
                    }
                }
            }
            ApiVersion::V4 => {
                if !obj.contains_key("externalId") {
                    obj.insert("externalId".into(), json!(key));
                }
            }
        }
    }
    body
}

fn strip_item_state(items: &mut [Value]) {
    for item in items {
        if let Some(obj) = item.as_object_mut() {
            obj.remove("state");
            if let Some(children) = obj
                .get_mut("productOrderItem")
                .and_then(Value::as_array_mut)
            {
                strip_item_state(children);
            }
        }
    }
}

/// The service order a draft would decompose into, with the reference data the desk holds.
pub fn preview(
    order: &ProductOrder,
    ctx: &DecompositionContext<'_>,
    ids: &mut dyn IdSource,
) -> Result<Decomposition, DeskError> {
    decompose(order, ctx, ids).map_err(|e| DeskError::invalid("productOrderItem", e.to_string()))
}

/// The installed product a modify or cease starts from.
pub fn installed<'a>(
    inventory: &'a dyn Inventory,
    id: &ProductId,
) -> Result<&'a ProductInstance, DeskError> {
    inventory
        .product(id)
        .ok_or_else(|| DeskError::not_found("product", id.as_str()))
}

impl Desk {
    /// A new draft from a quote, under a fresh local id.
    pub fn draft_from_quote(&self, quote_id: &str) -> Result<ProductOrder, DeskError> {
        self.require(Permission::CaptureOrders)?;
        let reference = self.reference();
        let quote = reference
            .quote(quote_id)
            .ok_or_else(|| DeskError::not_found("quote", quote_id))?;
        let id = OrderId::new(self.next_id("order"));
        draft_from_quote(quote, id, self.session(), self.now())
    }

    /// A new draft changing an installed product.
    pub fn start_modify(&self, product_id: &str) -> Result<ProductOrder, DeskError> {
        self.require(Permission::CaptureOrders)?;
        let reference = self.reference();
        let product = installed(&*reference, &ProductId::new(product_id))?;
        let id = OrderId::new(self.next_id("order"));
        modify_draft(product, id, self.session(), self.now())
    }

    /// A new draft ceasing an installed product.
    pub fn start_cease(&self, product_id: &str) -> Result<ProductOrder, DeskError> {
        self.require(Permission::CaptureOrders)?;
        let reference = self.reference();
        let product = installed(&*reference, &ProductId::new(product_id))?;
        let id = OrderId::new(self.next_id("order"));
        cease_draft(product, id, self.session(), self.now())
    }

    /// Runs the domain pipeline on the draft, as it would be submitted now, against the
    /// locally kept reference data and the local order history.
    pub fn validate_draft(&self, draft: &ProductOrder) -> Result<LocalValidation, DeskError> {
        self.require(Permission::CaptureOrders)?;
        check_draft(draft)?;
        let order = submitted_order(draft, self.now(), "preview");
        Ok(self
            .with_validation(|pipeline, ctx| LocalValidation::of(&pipeline.validate(&order, ctx))))
    }

    /// The service order the draft would decompose into (ids are for display only).
    pub fn decomposition_preview(&self, draft: &ProductOrder) -> Result<Decomposition, DeskError> {
        self.require(Permission::CaptureOrders)?;
        check_draft(draft)?;
        let reference = self.reference();
        let ctx = DecompositionContext {
            catalog: &*reference,
            addresses: &*reference,
            inventory: &*reference,
        };
        preview(draft, &ctx, &mut SequentialIds::new("preview"))
    }

    /// Keeps a draft locally (never sent) to finish later.
    pub fn save_draft(&self, draft: &ProductOrder) -> Result<LocalOrder, DeskError> {
        self.require(Permission::CaptureOrders)?;
        check_draft(draft)?;
        if let Some(existing) = self
            .inner
            .store
            .get_order(&draft.id)
            .map_err(DeskError::storage)?
        {
            if existing.sync.kind() != SyncStatusKind::Draft {
                return Err(DeskError::invalid(
                    "id",
                    format!("order `{}` is no longer a draft", draft.id),
                ));
            }
        }
        let local = LocalOrder::draft(draft.clone(), self.search_text(draft), self.now());
        self.inner
            .store
            .save_local_order(&local, None)
            .map_err(DeskError::storage)?;
        self.emit_order(&local);
        Ok(local)
    }

    /// The saved drafts, newest first.
    pub fn drafts(&self, limit: u32) -> Result<Vec<LocalOrder>, DeskError> {
        self.require(Permission::CaptureOrders)?;
        let page = self
            .inner
            .store
            .list_orders(&OrderListQuery {
                sync: Some(SyncStatusKind::Draft),
                limit,
                ..OrderListQuery::default()
            })
            .map_err(DeskError::storage)?;
        Ok(page.items)
    }

    /// Submits a draft: validates it locally (a draft the server would reject is refused here,
    /// with every finding), then stores the order as "awaiting sync" and the outbox entry that
    /// creates it on the server, with a fresh idempotency key, in one local transaction; the
    /// sync engine sends it whenever the server can be reached.
    pub async fn submit(&self, draft: &ProductOrder) -> Result<Submitted, DeskError> {
        self.require(Permission::CaptureOrders)?;
        check_draft(draft)?;
        if let Some(existing) = self
            .inner
            .store
            .get_order(&draft.id)
            .map_err(DeskError::storage)?
        {
            if existing.sync.kind() != SyncStatusKind::Draft {
                return Err(DeskError::invalid(
                    "id",
                    format!("order `{}` was submitted already", draft.id),
                ));
            }
        }
        let now = self.now();
        let key = self.next_id("idempotencyKey");
        let order = submitted_order(draft, now, &key);
        let validation = self
            .with_validation(|pipeline, ctx| LocalValidation::of(&pipeline.validate(&order, ctx)));
        if validation.is_rejected() {
            return Err(DeskError::DraftRejected {
                results: validation.results,
            });
        }
        let api = self.api();
        let entry = NewOutboxEntry {
            order_id: order.id.clone(),
            kind: OutboxKind::CreateOrder,
            method: Method::Post,
            path: format!("{}/productOrder", orderdesk_sync::client::tmf622_path(api)),
            body: Some(create_body(&for_server(&order), api, &key)),
            idempotency_key: key,
            if_match: None,
            created_at: now,
        };
        let local = LocalOrder::captured(order, self.search_text(draft), now);
        let seq = self
            .inner
            .store
            .save_local_order(&local, Some(&entry))
            .map_err(DeskError::storage)?
            .unwrap_or_default();
        self.emit_order(&local);
        self.wake_sync().await;
        Ok(Submitted {
            order: local.order.id,
            outbox_entry: seq,
            validation,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::permission::Role;
    use chrono::TimeZone;
    use orderdesk_fixtures::Fixtures;

    fn day() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 26, 10, 0, 0).unwrap()
    }

    fn agent() -> Session {
        Session {
            user_id: "U-AGENT-1".into(),
            name: "Demo Agent 1".into(),
            role: Role::Agent,
        }
    }

    #[test]
    fn quote_drafts_carry_the_desk_channel_and_the_agent() {
        let fixtures = Fixtures::load_default().unwrap();
        let quote = &fixtures.quotes()[0];
        let draft = draft_from_quote(quote, "L-1".into(), &agent(), day()).unwrap();
        assert_eq!(draft.state(), OrderState::Draft);
        assert_eq!(draft.channel.as_deref(), Some(DESK_CHANNEL));
        assert_eq!(draft.created_by, Some("U-AGENT-1".into()));
        assert!(draft
            .related_parties
            .iter()
            .any(|p| p.role == "salesAgent" && p.id == "U-AGENT-1"));
        check_draft(&draft).unwrap();
        let submitted = submitted_order(&draft, day(), "K-1");
        assert_eq!(submitted.state(), OrderState::Acknowledged);
        assert!(check_draft(&submitted).is_err());
    }

    #[test]
    fn create_bodies_parse_as_tmf622_creates_and_carry_the_key() {
        let fixtures = Fixtures::load_default().unwrap();
        let quote = &fixtures.quotes()[0];
        let draft = draft_from_quote(quote, "L-1".into(), &agent(), day()).unwrap();
        let order = submitted_order(&draft, day(), "K-1");

        let v5_body = create_body(&order, ApiVersion::V5, "K-1");
        assert!(v5_body.get("id").is_none());
        assert!(v5_body.get("state").is_none());
        let ids = v5_body["externalId"].as_array().unwrap();
        let keys = ids
            .iter()
            .filter(|e| e["id"] == "desk-K-1" && e["owner"] == DESK_EXTERNAL_ID_OWNER)
            .count();
        assert_eq!(keys, 1, "{ids:?}");
        let parsed: v5::ProductOrderFvo = orderdesk_tmf::from_value(v5_body).unwrap();
        assert_eq!(parsed.product_order_item.len(), order.items.len());

        let v4_body = create_body(&order, ApiVersion::V4, "K-1");
        assert!(v4_body.get("id").is_none());
        let _: v4::ProductOrderCreate = orderdesk_tmf::from_value(v4_body).unwrap();
    }

    #[test]
    fn modify_and_cease_drafts_start_from_the_installed_product() {
        let fixtures = Fixtures::load_default().unwrap();
        let product = fixtures
            .inventory()
            .products()
            .iter()
            .find(|p| p.is_live())
            .unwrap();
        let modify = modify_draft(product, "L-2".into(), &agent(), day()).unwrap();
        assert_eq!(modify.customer, product.customer);
        assert_eq!(modify.items[0].action, ItemAction::Modify);
        assert_eq!(modify.items[0].product.existing.as_ref(), Some(&product.id));
        assert_eq!(
            modify.items[0].product.characteristics,
            product.characteristics
        );
        let cease = cease_draft(product, "L-3".into(), &agent(), day()).unwrap();
        assert_eq!(cease.items[0].action, ItemAction::Delete);
        assert!(cease.items[0].product.characteristics.is_empty());
    }
}
