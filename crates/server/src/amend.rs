//! What a PATCH of a product order may change, and the versions it makes.
//!
//! The API applies the client's patch (merge or JSON Patch) to the order's own JSON in the
//! client's API version; this module compares that document with the original, field by field:
//! * [`AMENDABLE`] fields become an amendment of the order (the domain's
//!   [`orderdesk_domain::desk::amend`]: refused when the order is finished or being cancelled,
//!   and for items past their point of no return or finished);
//! * new notes are added (notes are append-only: leaving one out does not remove it);
//! * `state` may go from `draft` to `acknowledged` only (submitting a v5 draft);
//! * any other field the patch changes (`id`, `href`, dates the server sets, `state`,
//!   `externalId`, error messages, milestones, an item's `state`, unknown fields...) refuses the
//!   whole patch with a 400 naming it. Removing a server-set field is ignored: the server writes
//!   its own value back.
//!
//! The patched document is re-parsed through the tmf crate (a misfit is a 400 naming the field)
//! and the amended order re-checked for shape by the domain; re-running the validation pipeline
//! on an amended order is the API's business (it needs the store).

use chrono::{DateTime, Utc};
use orderdesk_domain::desk::{amend, AmendmentError, ChangeKind};
use orderdesk_domain::lifecycle::{OrderCommand, OrderState};
use orderdesk_domain::order::Note;
use orderdesk_domain::{ProductOrder, UserId};
use orderdesk_tmf::{v4, v5, ApiVersion};
use serde_json::Value;

use crate::error::ApiError;
use crate::state::new_id;
use crate::workflow::{content_step, lifecycle_step, Step};

/// Order fields a PATCH may change (requested content).
pub const AMENDABLE: &[&str] = &[
    "priority",
    "category",
    "description",
    "requestedStartDate",
    "requestedCompletionDate",
    "billingAccount",
    "payment",
    "relatedParty",
    "productOrderItem",
];

/// What a PATCH amounts to.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchPlan {
    /// The versions to record, in order (empty: the patch changes nothing).
    pub steps: Vec<Step>,
    /// The requested content changed (and the order may need validating again).
    pub amended: bool,
    /// Items were added or changed.
    pub items_changed: bool,
    /// A draft was submitted: the workflow must validate it.
    pub submitted: bool,
}

fn refused(field: impl Into<String>, why: &str) -> ApiError {
    let field = field.into();
    ApiError::bad_field(
        "nonPatchableField",
        field.clone(),
        format!("`{field}` cannot be changed by a PATCH: {why}"),
    )
}

fn amendment_error(e: AmendmentError) -> ApiError {
    match e {
        AmendmentError::OrderFinished(_) | AmendmentError::CancellationInProgress(_) => {
            ApiError::conflict("orderNotAmendable", e.to_string())
        }
        AmendmentError::PastPointOfNoReturn { .. } => {
            ApiError::unprocessable("pastPointOfNoReturn", e.to_string())
        }
        AmendmentError::ItemsFinished { .. } | AmendmentError::Withdrawal { .. } => {
            ApiError::unprocessable("itemNotAmendable", e.to_string())
        }
        AmendmentError::CustomerChanged { .. } | AmendmentError::OtherOrder { .. } => {
            ApiError::unprocessable("customerNotAmendable", e.to_string())
        }
        AmendmentError::Shape(shape) => {
            ApiError::bad_field("invalidOrderShape", "productOrderItem", shape.to_string())
        }
        AmendmentError::NothingChanged | AmendmentError::Version(_) => ApiError::internal(e),
    }
}

/// Every top-level field whose value differs between the two documents.
fn changed_fields(before: &Value, after: &Value) -> Vec<String> {
    let empty = serde_json::Map::new();
    let b = before.as_object().unwrap_or(&empty);
    let a = after.as_object().unwrap_or(&empty);
    let mut out: Vec<String> = Vec::new();
    for (key, value) in a {
        if b.get(key) != Some(value) {
            out.push(key.clone());
        }
    }
    for key in b.keys() {
        if !a.contains_key(key) {
            out.push(key.clone());
        }
    }
    out
}

/// Refuses a changed `state` of an item that exists (new items have none to change).
fn check_item_states(before: &Value, after: &Value) -> Result<(), ApiError> {
    let (Some(old), Some(new)) = (
        before.get("productOrderItem").and_then(Value::as_array),
        after.get("productOrderItem").and_then(Value::as_array),
    ) else {
        return Ok(());
    };
    for (i, item) in new.iter().enumerate() {
        let Some(state) = item.get("state") else {
            continue;
        };
        let id = item.get("id");
        let was = old
            .iter()
            .find(|o| o.get("id") == id)
            .and_then(|o| o.get("state"));
        if was.is_some_and(|was| was != state) {
            return Err(refused(
                format!("productOrderItem[{i}].state"),
                "item states move with fulfilment, not by request",
            ));
        }
    }
    Ok(())
}

/// The domain order a patched document describes.
fn parse_patched(after: &Value, version: ApiVersion) -> Result<ProductOrder, ApiError> {
    Ok(match version {
        ApiVersion::V4 => {
            let wire: v4::ProductOrder = orderdesk_tmf::from_value(after.clone())?;
            ProductOrder::try_from(&wire)?
        }
        ApiVersion::V5 => {
            let wire: v5::ProductOrder = orderdesk_tmf::from_value(after.clone())?;
            ProductOrder::try_from(&wire)?
        }
    })
}

/// Why an amendment was made, for its version: TMF622 has no field for it, so a note added by
/// the same patch says it (`amended by Demo Agent 1: customer moved the install date`).
fn amendment_reason(author: &str, new_notes: &[Note]) -> String {
    match new_notes.first() {
        Some(note) if !note.text.trim().is_empty() => {
            format!("amended by {author}: {}", note.text.trim())
        }
        _ => format!("amended by {author}"),
    }
}

/// Decides what the patched document `after` (made from `before`, the order's JSON in
/// `version`) changes in `current`, on behalf of `by` (named `author`) at `now`.
pub fn plan_patch(
    current: &ProductOrder,
    before: &Value,
    after: &Value,
    version: ApiVersion,
    now: DateTime<Utc>,
    by: &UserId,
    author: &str,
) -> Result<PatchPlan, ApiError> {
    if !after.is_object() {
        return Err(ApiError::bad_request(
            "malformedBody",
            "the patched order is not a JSON object",
        ));
    }
    let mut amend_fields = false;
    let mut submit = false;
    let mut notes_changed = false;
    for field in changed_fields(before, after) {
        let removed = after.get(&field).is_none();
        match field.as_str() {
            f if AMENDABLE.contains(&f) => amend_fields = true,
            "note" => notes_changed = true,
            "state" if removed => {}
            "state" => {
                let wants_submit = after.get("state") == Some(&Value::from("acknowledged"));
                if wants_submit && current.state() == OrderState::Draft {
                    submit = true;
                } else {
                    return Err(refused(
                        "state",
                        "the server moves the state; a client may only submit a draft \
                         (`state: acknowledged`), and cancels through cancelProductOrder",
                    ));
                }
            }
            // Dropping a field the server sets changes nothing: the server writes it back.
            f if removed && f != "productOrderItem" => {}
            other => return Err(refused(other, "the server sets it, or it is not amendable")),
        }
    }
    if amend_fields {
        check_item_states(before, after)?;
    }
    if !(amend_fields || submit || notes_changed) {
        return Ok(PatchPlan {
            steps: Vec::new(),
            amended: false,
            items_changed: false,
            submitted: false,
        });
    }

    let parsed = parse_patched(after, version)?;
    let new_notes: Vec<Note> = parsed
        .notes
        .iter()
        .filter(|n| {
            !current
                .notes
                .iter()
                .any(|c| c.text == n.text && c.id == n.id)
        })
        .map(|n| Note {
            id: Some(n.id.clone().unwrap_or_else(new_id)),
            author: Some(n.author.clone().unwrap_or_else(|| author.to_owned())),
            date: Some(n.date.unwrap_or(now)),
            text: n.text.clone(),
        })
        .collect();
    let mut steps: Vec<Step> = Vec::new();
    let mut amended = false;
    let mut items_changed = false;
    if amend_fields {
        let mut desired = current.clone();
        desired.priority = parsed.priority;
        desired.category.clone_from(&parsed.category);
        desired.description.clone_from(&parsed.description);
        desired.requested_start_date = parsed.requested_start_date;
        desired.requested_completion_date = parsed.requested_completion_date;
        desired.billing_account.clone_from(&parsed.billing_account);
        desired.payment.method.clone_from(&parsed.payment.method);
        desired.customer.clone_from(&parsed.customer);
        desired.related_parties.clone_from(&parsed.related_parties);
        if after.get("productOrderItem") != before.get("productOrderItem") {
            desired.items.clone_from(&parsed.items);
        }
        match amend(
            current,
            &desired,
            now,
            by,
            amendment_reason(author, &new_notes),
        ) {
            Ok(amendment) => {
                items_changed = !amendment.delta.added.is_empty()
                    || !amendment.delta.changed.is_empty()
                    || !amendment.delta.removed.is_empty();
                amended = true;
                steps.push(Step {
                    order: amendment.version.snapshot.clone(),
                    version: amendment.version,
                });
            }
            Err(AmendmentError::NothingChanged) => {}
            Err(e) => return Err(amendment_error(e)),
        }
    }

    if !new_notes.is_empty() {
        match steps.last_mut() {
            Some(step) => {
                step.order.notes.extend(new_notes);
                step.version.snapshot = step.order.clone();
            }
            None => steps.push(
                content_step(
                    current,
                    ChangeKind::Note,
                    now,
                    by,
                    format!("note by {author}"),
                    |o| o.notes.extend(new_notes),
                )
                .map_err(ApiError::internal)?,
            ),
        }
    }

    if submit {
        let from = steps.last().map_or(current, |s| &s.order);
        let step = lifecycle_step(
            from,
            &OrderCommand::Submit,
            now,
            by,
            format!("submitted by {author}"),
        )
        .map_err(|e| ApiError::conflict("stateChangeRefused", e.to_string()))?;
        steps.push(step);
    }
    Ok(PatchPlan {
        steps,
        amended,
        items_changed,
        submitted: submit,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use orderdesk_domain::lifecycle::ItemEvent;
    use orderdesk_domain::{ItemAction, OrderItem};
    use serde_json::json;

    use crate::patch::merge_patch;
    use crate::representation::order_json;
    use crate::state::Urls;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 26, 9, 0, 0).unwrap()
    }

    fn order(draft: bool) -> ProductOrder {
        ProductOrder::new(
            "O-1".into(),
            "CUST-1001".into(),
            t0(),
            vec![
                OrderItem::new("1", ItemAction::Add, Some("PO-SF200-HOME".into())),
                OrderItem::new("2", ItemAction::Add, Some("PO-ROUTER-RENTAL".into())),
            ],
            draft,
        )
        .unwrap()
    }

    fn plan(
        current: &ProductOrder,
        version: ApiVersion,
        patch: Value,
    ) -> Result<PatchPlan, ApiError> {
        let urls = Urls {
            public: "http://h".to_owned(),
        };
        let before = order_json(current, None, version, &urls).unwrap();
        let mut after = before.clone();
        merge_patch(&mut after, &patch);
        plan_patch(
            current,
            &before,
            &after,
            version,
            t0(),
            &"U-1".into(),
            "Demo Agent 1",
        )
    }

    fn refused_field(result: Result<PatchPlan, ApiError>) -> String {
        match result {
            Err(ApiError::BadRequest {
                code: "nonPatchableField",
                field: Some(field),
                ..
            }) => field,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn requested_content_is_amended() {
        for version in [ApiVersion::V4, ApiVersion::V5] {
            let p = plan(
                &order(false),
                version,
                json!({"priority": "1", "requestedStartDate": "2026-12-01T00:00:00Z"}),
            )
            .unwrap();
            assert!(p.amended && !p.items_changed && !p.submitted);
            let o = &p.steps[0].order;
            assert_eq!(o.priority.level(), 1);
            assert_eq!(o.version, 2);
            assert_eq!(p.steps[0].version.by.as_str(), "U-1");
        }
    }

    #[test]
    fn nothing_changed_makes_no_version() {
        let p = plan(&order(false), ApiVersion::V5, json!({})).unwrap();
        assert!(p.steps.is_empty());
        let p = plan(&order(false), ApiVersion::V5, json!({"priority": "4"})).unwrap();
        assert!(p.steps.is_empty(), "priority 4 is the default");
    }

    #[test]
    fn server_fields_are_refused_by_name() {
        let o = order(false);
        let cases = [
            (json!({"id": "other"}), "id"),
            (json!({"state": "completed"}), "state"),
            (
                json!({"creationDate": "2020-01-01T00:00:00Z"}),
                "creationDate",
            ),
            (json!({"x-unknown": 1}), "x-unknown"),
        ];
        for (patch, field) in cases {
            assert_eq!(
                refused_field(plan(&o, ApiVersion::V5, patch.clone())),
                field,
                "{patch}"
            );
        }
        assert_eq!(
            refused_field(plan(
                &o,
                ApiVersion::V4,
                json!({"orderDate": "2020-01-01T00:00:00Z"})
            )),
            "orderDate"
        );
    }

    #[test]
    fn item_states_are_refused_by_path() {
        let o = order(false);
        let urls = Urls {
            public: "http://h".to_owned(),
        };
        let before = order_json(&o, None, ApiVersion::V5, &urls).unwrap();
        let mut after = before.clone();
        after["productOrderItem"][1]["state"] = json!("completed");
        let got = plan_patch(
            &o,
            &before,
            &after,
            ApiVersion::V5,
            t0(),
            &"U-1".into(),
            "A",
        );
        assert_eq!(refused_field(got), "productOrderItem[1].state");
    }

    #[test]
    fn removing_server_fields_is_harmless() {
        let p = plan(
            &order(false),
            ApiVersion::V5,
            json!({"href": null, "priority": "2"}),
        )
        .unwrap();
        assert!(p.amended);
    }

    #[test]
    fn notes_are_added() {
        let p = plan(
            &order(false),
            ApiVersion::V5,
            json!({"note": [{"text": "call before noon", "@type": "Note"}]}),
        )
        .unwrap();
        assert_eq!(p.steps.len(), 1);
        let note = &p.steps[0].order.notes[0];
        assert_eq!(note.text, "call before noon");
        assert_eq!(note.author.as_deref(), Some("Demo Agent 1"));
        assert!(matches!(p.steps[0].version.change, ChangeKind::Note));
    }

    #[test]
    fn items_can_be_removed_while_open() {
        let urls = Urls {
            public: "http://h".to_owned(),
        };
        let o = order(false);
        let before = order_json(&o, None, ApiVersion::V5, &urls).unwrap();
        let mut after = before.clone();
        after["productOrderItem"].as_array_mut().unwrap().remove(1);
        let p = plan_patch(
            &o,
            &before,
            &after,
            ApiVersion::V5,
            t0(),
            &"U-1".into(),
            "A",
        )
        .unwrap();
        assert!(p.items_changed);
        let item = p.steps[0].order.item(&"2".into()).unwrap();
        assert_eq!(item.state().as_str(), "cancelled");
    }

    #[test]
    fn items_past_ponr_are_refused() {
        let mut o = order(false);
        o = orderdesk_domain::lifecycle::apply(&o, &OrderCommand::Accept, t0()).unwrap();
        o = orderdesk_domain::lifecycle::apply(
            &o,
            &OrderCommand::Item {
                item: "1".into(),
                event: ItemEvent::Start,
            },
            t0(),
        )
        .unwrap();
        o.items[0].point_of_no_return = Some(t0());
        let urls = Urls {
            public: "http://h".to_owned(),
        };
        let before = order_json(&o, None, ApiVersion::V5, &urls).unwrap();
        let mut after = before.clone();
        after["productOrderItem"].as_array_mut().unwrap().remove(0);
        let got = plan_patch(
            &o,
            &before,
            &after,
            ApiVersion::V5,
            t0(),
            &"U-1".into(),
            "A",
        );
        assert!(
            matches!(
                got,
                Err(ApiError::Unprocessable {
                    code: "pastPointOfNoReturn",
                    ..
                })
            ),
            "{got:?}"
        );
    }

    #[test]
    fn a_draft_is_submitted() {
        let p = plan(
            &order(true),
            ApiVersion::V5,
            json!({"state": "acknowledged"}),
        )
        .unwrap();
        assert!(p.submitted);
        assert_eq!(p.steps[0].order.state(), OrderState::Acknowledged);
        let refused = plan(&order(false), ApiVersion::V5, json!({"state": "draft"}));
        assert_eq!(refused_field(refused), "state");
        let same = plan(
            &order(false),
            ApiVersion::V5,
            json!({"state": "acknowledged"}),
        )
        .unwrap();
        assert!(same.steps.is_empty(), "the state it has is no change");
    }
}
