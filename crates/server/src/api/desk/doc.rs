//! The desk extension's part of the OpenAPI document: every route of [`super::routes`] with its
//! parameters, bodies and answers, and the `Desk…` schemas they use. Errors are the TMF error
//! body of TMF622 v5 (`v5.Error`), as everywhere on the server.

use serde_json::{json, Map, Value};

use super::queue::{DEFAULT_LEASE_SECONDS, MAX_LEASE_SECONDS};
use super::triage::DeskQueue;
use super::BASE;
use crate::openapi::OpenApi;

const TAG: &str = "Desk (orderdesk/v1)";

fn schema(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn answers(ok: (&str, Value), errors: &[u16]) -> Value {
    let mut out = Map::new();
    out.insert(ok.0.to_owned(), ok.1);
    for code in errors {
        let description = match code {
            400 => "Bad request: malformed JSON, a missing or invalid field, an unknown parameter",
            401 => "No or unknown bearer token",
            403 => "The caller's role lacks the right",
            404 => "No such order, queue entry or version",
            406 => "Not asked for as `Accept: text/event-stream`",
            409 => "Refused: claimed by someone else (the reason names them), not claimed, not in the queue, or a state change the lifecycle refuses",
            412 => "`If-Match` names a version that is no longer current",
            415 => "Unsupported Content-Type",
            422 => "A business rule refuses the request",
            _ => "Internal error",
        };
        out.insert(
            code.to_string(),
            json!({
                "description": description,
                "content": {"application/json": {"schema": schema("v5.Error")}},
            }),
        );
    }
    Value::Object(out)
}

fn json_ok(description: &str, body: Value) -> (&'static str, Value) {
    (
        "200",
        json!({"description": description, "content": {"application/json": {"schema": body}}}),
    )
}

fn order_ok(status: &'static str, description: &str) -> (&'static str, Value) {
    (
        status,
        json!({
            "description": description,
            "headers": {"ETag": {"description": "The order's version", "schema": {"type": "string"}}},
            "content": {"application/json": {"schema": schema("v5.ProductOrder")}},
        }),
    )
}

fn paged(description: &str, items: Value) -> (&'static str, Value) {
    (
        "200",
        json!({
            "description": description,
            "headers": {
                "X-Total-Count": {"description": "How many match in all", "schema": {"type": "integer"}},
                "X-Result-Count": {"description": "How many this page holds", "schema": {"type": "integer"}},
            },
            "content": {"application/json": {"schema": {"type": "array", "items": items}}},
        }),
    )
}

fn path_param(name: &str, what: &str) -> Value {
    json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}, "description": what})
}

fn query(name: &str, schema: Value, description: &str) -> Value {
    json!({"name": name, "in": "query", "required": false, "schema": schema, "description": description})
}

fn if_match() -> Value {
    json!({"name": "If-Match", "in": "header", "required": false, "schema": {"type": "string"},
           "description": "The order's `ETag`; 412 when the order has moved on."})
}

fn body(name: &str, required: bool) -> Value {
    json!({"required": required, "content": {"application/json": {"schema": schema(name)}}})
}

fn paging() -> [Value; 2] {
    [
        query(
            "offset",
            json!({"type": "integer", "minimum": 0}),
            "Entries to skip.",
        ),
        query(
            "limit",
            json!({"type": "integer", "minimum": 0, "maximum": crate::tmf630::MAX_LIMIT}),
            "Page size, default 20, at most 1000.",
        ),
    ]
}

fn queue_names() -> Vec<&'static str> {
    DeskQueue::ALL.iter().map(|q| q.as_str()).collect()
}

/// Adds the desk extension's operations and schemas to `doc`.
pub fn openapi(doc: &mut OpenApi) {
    schemas(doc);
    queue(doc);
    credit(doc);
    history(doc);
    feed(doc);
    super::me::openapi(doc);
    super::progress::openapi(doc);
}

fn schemas(doc: &mut OpenApi) {
    let money = schema("DeskMoney");
    let user = json!({"type": "object", "required": ["id"], "properties": {
        "id": {"type": "string"}, "name": {"type": "string"}}});
    doc.schema("DeskUser", user);
    doc.schema(
        "DeskMoney",
        json!({"type": "object", "required": ["unit", "value"], "properties": {
            "unit": {"type": "string", "description": "ISO 4217 currency"},
            "value": {"type": "number"}}}),
    );
    doc.schema(
        "DeskQueueEntry",
        json!({
            "type": "object",
            "description": "An order waiting in a desk queue, as the desk works it.",
            "required": ["orderId", "href", "kind", "queue", "state", "orderVersion", "customer", "reasons",
                         "priority", "effectivePriority", "waitingSince", "ageSeconds", "overdue"],
            "properties": {
                "orderId": {"type": "string"},
                "href": {"type": "string", "description": "The order in TMF622 v5"},
                "kind": {"type": "string", "enum": ["held", "pending", "cancellationAssessment", "jeopardy"],
                         "description": "The queue the order's state puts it in"},
                "queue": {"type": "string", "enum": queue_names(),
                          "description": "The team queue: the validation hold queue (fraud, creditReferral, review, capacity, deposit), a scheduled wait, or another hold"},
                "state": {"type": "string", "description": "TMF622 v5 order state"},
                "orderVersion": {"type": "integer", "description": "The order's version (its ETag)"},
                "customer": {"type": "object", "properties": {"id": {"type": "string"}, "name": {"type": "string", "nullable": true}}},
                "reason": {"type": "string", "nullable": true, "description": "Why the order waits (its state reason)"},
                "reasons": {"type": "array", "description": "The held results of the verdict behind the wait",
                            "items": {"type": "object", "properties": {
                                "code": {"type": "string", "description": "Stable validation code, e.g. CREDIT_REFER"},
                                "check": {"type": "string", "nullable": true},
                                "message": {"type": "string"},
                                "productOrderItemId": {"type": "array", "items": {"type": "string"}}}}},
                "priority": {"type": "string", "enum": ["0", "1", "2", "3", "4"]},
                "effectivePriority": {"type": "string", "enum": ["0", "1", "2", "3", "4"],
                                      "description": "The priority after ageing: one level gained per 2 h waited"},
                "waitingSince": {"type": "string", "format": "date-time"},
                "ageSeconds": {"type": "integer"},
                "slaDue": {"type": "string", "format": "date-time", "nullable": true},
                "slaRemainingSeconds": {"type": "integer", "nullable": true, "description": "Negative once overdue"},
                "overdue": {"type": "boolean"},
                "jeopardy": {"type": "string", "enum": ["Hazard", "Critical"], "nullable": true},
                "claim": {"type": "object", "nullable": true, "description": "The running lease, if any",
                          "properties": {"user": schema("DeskUser"),
                                         "until": {"type": "string", "format": "date-time"},
                                         "remainingSeconds": {"type": "integer"}}},
            },
        }),
    );
    doc.schema(
        "DeskCreditException",
        json!({
            "allOf": [schema("DeskQueueEntry"), {
                "type": "object",
                "properties": {
                    "creditProfile": {"type": "object", "nullable": true, "properties": {
                        "score": {"type": "integer"}, "monthlyExposure": money, "exposureLimit": money,
                        "arrears": money, "checkedAt": {"type": "string", "format": "date-time"}}},
                    "newMonthlyCharges": {"type": "object", "properties": {
                        "added": money, "removed": money,
                        "otherCurrencies": {"type": "array", "items": {"type": "string"}}}},
                    "exposure": {"type": "object", "nullable": true, "properties": {
                        "current": money, "after": money, "limit": money, "withinLimit": {"type": "boolean"}}},
                },
            }],
        }),
    );
    doc.schema(
        "DeskClaim",
        json!({"type": "object", "properties": {"leaseSeconds": {"type": "integer", "minimum": 1,
            "maximum": MAX_LEASE_SECONDS, "default": DEFAULT_LEASE_SECONDS}}}),
    );
    doc.schema(
        "DeskReason",
        json!({"type": "object", "required": ["reason"], "properties": {"reason": {"type": "string", "maxLength": 2000}}}),
    );
    doc.schema(
        "DeskResolve",
        json!({"type": "object", "required": ["reason"], "properties": {
            "reason": {"type": "string", "maxLength": 2000},
            "note": {"type": "string", "maxLength": 2000, "description": "Added to the order's notes"}}}),
    );
    doc.schema(
        "DeskNote",
        json!({"type": "object", "required": ["text"], "properties": {"text": {"type": "string", "maxLength": 2000}}}),
    );
    doc.schema(
        "DeskDeposit",
        json!({"type": "object", "required": ["amount", "reason"], "properties": {
            "amount": {"type": "object", "required": ["value"], "properties": {
                "value": {"type": "number", "exclusiveMinimum": 0, "description": "At most two decimals"},
                "unit": {"type": "string", "description": "ISO 4217; default: the currency of the customer's credit limit"}}},
            "reason": {"type": "string", "maxLength": 2000}}}),
    );
    doc.schema(
        "DeskDepositRecorded",
        json!({"type": "object", "required": ["reference"], "properties": {
            "reference": {"type": "string", "maxLength": 2000, "description": "The payment's reference"},
            "note": {"type": "string", "maxLength": 2000}}}),
    );
    doc.schema(
        "DeskOrderVersion",
        json!({"type": "object", "required": ["version", "at", "by", "reason", "changeKind", "state"], "properties": {
            "version": {"type": "integer"},
            "at": {"type": "string", "format": "date-time"},
            "by": schema("DeskUser"),
            "reason": {"type": "string", "description": "Why"},
            "changeKind": {"type": "string", "enum": ["created", "lifecycle", "amendment", "note", "milestone", "jeopardy"]},
            "change": {"type": "object", "description": "The change: the lifecycle command, or the amendment's delta"},
            "state": {"type": "string", "description": "The order state this version left"},
            "href": {"type": "string"}}}),
    );
    let field_change = json!({"type": "object", "properties": {
        "path": {"type": "string", "description": "TMF-like path, e.g. productOrderItem[2].product.productCharacteristic.speed"},
        "before": {"type": "string", "nullable": true}, "after": {"type": "string", "nullable": true}}});
    doc.schema(
        "DeskOrderDiff",
        json!({"type": "object", "required": ["from", "to", "order", "added", "removed", "changed"], "properties": {
            "from": {"type": "integer"}, "to": {"type": "integer"},
            "order": {"type": "array", "items": field_change.clone(), "description": "Order-level fields"},
            "added": {"type": "array", "items": {"type": "string"}, "description": "Item ids only in `to`"},
            "removed": {"type": "array", "items": {"type": "string"}, "description": "Item ids only in `from`"},
            "changed": {"type": "array", "items": {"type": "object", "properties": {
                "item": {"type": "string"}, "changes": {"type": "array", "items": field_change}}}},
            "versions": {"type": "array", "items": schema("DeskOrderVersion"), "description": "The versions after `from` up to `to`"}}}),
    );
    doc.schema(
        "DeskChange",
        json!({"type": "object", "required": ["seq", "at", "entity", "entityId", "kind"], "properties": {
            "seq": {"type": "integer", "description": "The cursor: increasing in commit order, never reused"},
            "at": {"type": "string", "format": "date-time"},
            "entity": {"type": "string", "enum": ["productOrder", "queueEntry", "cancelProductOrder", "serviceOrder", "product"]},
            "entityId": {"type": "string"},
            "kind": {"type": "string", "enum": ["create", "update", "stateChange", "delete", "claim", "release"]},
            "version": {"type": "integer", "nullable": true},
            "payload": {"description": "A small summary (state, version, the product order concerned...)"}}}),
    );
    doc.schema(
        "DeskChanges",
        json!({"type": "object", "required": ["changes", "nextCursor", "hasMore"], "properties": {
            "changes": {"type": "array", "items": schema("DeskChange")},
            "nextCursor": {"type": "integer", "description": "Send as `after` to read on"},
            "hasMore": {"type": "boolean"}}}),
    );
}

fn queue(doc: &mut OpenApi) {
    let mut params = vec![
        query("kind", json!({"type": "string"}), &format!(
            "Queues, comma = any: {}. `jeopardy` is every entry whose order is in jeopardy.",
            queue_names().join(", ")
        )),
        query("reason", json!({"type": "string"}), "A validation code (CREDIT_REFER) or words of the reason; comma = any."),
        query("priority", json!({"type": "string"}), "`0`..`4`, comma = any."),
        query("claimedBy", json!({"type": "string"}), "A user id, `me`, `none` or `any`."),
        query("q", json!({"type": "string"}), "Free text over order id, customer, reasons and claimer."),
        query("sort", json!({"type": "string"}), "`work` (default: overdue first, then ageing rank, arrival, id), `age`, `waitingSince`, `priority`, `effectivePriority`, `slaDue`; `-` for descending."),
    ];
    params.extend(paging());
    doc.operation(
        &format!("{BASE}/queue"),
        "get",
        json!({
            "tags": [TAG], "operationId": "desk_listQueue",
            "summary": "The held / pending / cancellation queues and the jeopardy board, in work order",
            "description": "Back office and supervisors.",
            "parameters": params,
            "responses": answers(paged("A page of entries", schema("DeskQueueEntry")), &[400, 401, 403, 500]),
        }),
    );
    let id = || path_param("orderId", "The product order's id");
    doc.operation(
        &format!("{BASE}/queue/{{orderId}}"),
        "get",
        json!({
            "tags": [TAG], "operationId": "desk_retrieveQueueEntry",
            "summary": "One queue entry",
            "parameters": [id()],
            "responses": answers(json_ok("The entry", schema("DeskQueueEntry")), &[401, 403, 404, 500]),
        }),
    );
    doc.operation(
        &format!("{BASE}/queue/{{orderId}}/claim"),
        "post",
        json!({
            "tags": [TAG], "operationId": "desk_claim",
            "summary": "Claim the order for a lease (no two people work the same order)",
            "description": "Atomic: of concurrent claimers exactly one wins. 409 naming the holder while another user's lease runs; the holder re-claiming extends the lease; an expired lease is free. The body is optional.",
            "parameters": [id()],
            "requestBody": body("DeskClaim", false),
            "responses": answers(json_ok("The entry with its claim", schema("DeskQueueEntry")), &[400, 401, 403, 404, 409, 415, 500]),
        }),
    );
    doc.operation(
        &format!("{BASE}/queue/{{orderId}}/release"),
        "post",
        json!({
            "tags": [TAG], "operationId": "desk_release",
            "summary": "Give the claim back (idempotent for the holder)",
            "parameters": [id()],
            "responses": answers(json_ok("The entry", schema("DeskQueueEntry")), &[401, 403, 404, 409, 500]),
        }),
    );
    let action = |op: &str, summary: &str, description: &str, body_schema: &str| {
        json!({
            "tags": [TAG], "operationId": op, "summary": summary, "description": description,
            "parameters": [id(), if_match()],
            "requestBody": body(body_schema, true),
            "responses": answers(order_ok("200", "The order after the action"), &[400, 401, 403, 404, 409, 412, 415, 422, 500]),
        })
    };
    doc.operation(
        &format!("{BASE}/queue/{{orderId}}/resolve"),
        "post",
        action(
            "desk_resolve",
            "Resolve the hold: back into the lifecycle",
            "Needs the caller's claim (released afterwards). An order held or pended by validation is resumed and validated again with the checks whose holds the desk resolved waived (it is accepted, or held in the next queue); an order held in flight resumes where it was. A credit exception needs a supervisor; a deposit wait needs depositRecorded; a scheduled wait is not resolved.",
            "DeskResolve",
        ),
    );
    doc.operation(
        &format!("{BASE}/queue/{{orderId}}/reject"),
        "post",
        action(
            "desk_reject",
            "Reject the order with a reason (only before acceptance)",
            "Needs the caller's claim.",
            "DeskReason",
        ),
    );
    doc.operation(
        &format!("{BASE}/queue/{{orderId}}/cancel"),
        "post",
        action(
            "desk_cancel",
            "Cancel the order with a reason (before delivery started)",
            "Needs the caller's claim. In-flight orders are cancelled through cancelProductOrder.",
            "DeskReason",
        ),
    );
    doc.operation(
        &format!("{BASE}/queue/{{orderId}}/notes"),
        "post",
        json!({
            "tags": [TAG], "operationId": "desk_addNote",
            "summary": "Add a note to any order (author and time recorded; a new version)",
            "description": "Agents, back office and supervisors; no claim needed.",
            "parameters": [id(), if_match()],
            "requestBody": body("DeskNote", true),
            "responses": answers(order_ok("201", "The order with the note"), &[400, 401, 403, 404, 409, 412, 415, 500]),
        }),
    );
}

fn credit(doc: &mut OpenApi) {
    let mut params = vec![query(
        "queue",
        json!({"type": "string"}),
        "`creditReferral`, `deposit`, or both (default).",
    )];
    params.extend(paging());
    doc.operation(
        &format!("{BASE}/creditExceptions"),
        "get",
        json!({
            "tags": [TAG], "operationId": "desk_listCreditExceptions",
            "summary": "Orders referred by credit vetting or waiting for a deposit, with the customer's credit profile and the order's new exposure",
            "description": "Supervisors only.",
            "parameters": params,
            "responses": answers(paged("A page of credit exceptions", schema("DeskCreditException")), &[400, 401, 403, 500]),
        }),
    );
    let id = || path_param("orderId", "The product order's id");
    let decision = |op: &str, summary: &str, description: &str, body_schema: &str| {
        json!({
            "tags": [TAG], "operationId": op, "summary": summary, "description": description,
            "parameters": [id(), if_match()],
            "requestBody": body(body_schema, true),
            "responses": answers(order_ok("200", "The order after the decision"), &[400, 401, 403, 404, 409, 412, 415, 422, 500]),
        })
    };
    doc.operation(
        &format!("{BASE}/creditExceptions/{{orderId}}/approve"),
        "post",
        decision(
            "desk_approveCredit",
            "Approve: the order is validated again without credit vetting and moves on into fulfilment",
            "Supervisors only (agents and back office: 403); needs the caller's claim.",
            "DeskReason",
        ),
    );
    doc.operation(
        &format!("{BASE}/creditExceptions/{{orderId}}/requireDeposit"),
        "post",
        decision(
            "desk_requireDeposit",
            "Require a deposit: the order pends (`deposit required: …`) until it is recorded",
            "Supervisors only; a credit referral; needs the caller's claim.",
            "DeskDeposit",
        ),
    );
    doc.operation(
        &format!("{BASE}/creditExceptions/{{orderId}}/depositRecorded"),
        "post",
        decision(
            "desk_depositRecorded",
            "The deposit is paid: the order moves on as if approved",
            "Back office or supervisors; an order pending for a deposit; needs the caller's claim.",
            "DeskDepositRecorded",
        ),
    );
    doc.operation(
        &format!("{BASE}/creditExceptions/{{orderId}}/decline"),
        "post",
        decision(
            "desk_declineCredit",
            "Decline: the order is cancelled with the reason",
            "Supervisors only; needs the caller's claim.",
            "DeskReason",
        ),
    );
}

fn history(doc: &mut OpenApi) {
    let id = || path_param("id", "The product order's id");
    doc.operation(
        &format!("{BASE}/orders/{{id}}/versions"),
        "get",
        json!({
            "tags": [TAG], "operationId": "desk_listOrderVersions",
            "summary": "Every version of the order, oldest first: who changed what and why (append-only)",
            "parameters": [id()],
            "responses": answers(paged("The versions", schema("DeskOrderVersion")), &[401, 403, 404, 500]),
        }),
    );
    doc.operation(
        &format!("{BASE}/orders/{{id}}/versions/{{n}}"),
        "get",
        json!({
            "tags": [TAG], "operationId": "desk_retrieveOrderVersion",
            "summary": "The order as it stood at version n, as TMF622 v5",
            "parameters": [id(), path_param("n", "The version number")],
            "responses": answers(order_ok("200", "The snapshot"), &[400, 401, 403, 404, 500]),
        }),
    );
    doc.operation(
        &format!("{BASE}/orders/{{id}}/diff"),
        "get",
        json!({
            "tags": [TAG], "operationId": "desk_diffOrderVersions",
            "summary": "What changed in the requested content between two versions",
            "parameters": [id(),
                query("from", json!({"type": "integer", "minimum": 1}), "Older version; default `to - 1`."),
                query("to", json!({"type": "integer", "minimum": 1}), "Newer version; default the latest.")],
            "responses": answers(json_ok("The differences", schema("DeskOrderDiff")), &[400, 401, 403, 404, 500]),
        }),
    );
}

fn feed(doc: &mut OpenApi) {
    doc.operation(
        &format!("{BASE}/changes"),
        "get",
        json!({
            "tags": [TAG], "operationId": "desk_listChanges",
            "summary": "The changes feed: every change to orders, queues, cancel requests, service orders (items) and products after a cursor, in commit order, without gaps",
            "parameters": [
                query("after", json!({"type": "integer", "minimum": 0}), "The last `seq` seen (0: from the start)."),
                query("limit", json!({"type": "integer", "minimum": 1, "maximum": super::changes::MAX_LIMIT}), "Page size, default 100."),
            ],
            "responses": answers(json_ok("The changes after the cursor", schema("DeskChanges")), &[400, 401, 403, 500]),
        }),
    );
    doc.operation(
        &format!("{BASE}/live"),
        "get",
        json!({
            "tags": [TAG], "operationId": "desk_live",
            "summary": "Live push: the changes feed as server-sent events, as they commit",
            "description": "Send `Accept: text/event-stream` (406 otherwise). Each event: `id` = seq, `event: change`, `data` = a DeskChange. Starts at the newest change, or replays from `after` (or `Last-Event-ID`) first, then goes live without losing or repeating a change. Keep-alive comments every 15 s.",
            "parameters": [
                query("after", json!({"type": "integer", "minimum": 0}), "Replay the changes after this seq first."),
                query("order", json!({"type": "string"}), "Only changes about this product order (the order, its queue entry, cancel requests and service orders)."),
                {"name": "Last-Event-ID", "in": "header", "required": false, "schema": {"type": "string"},
                 "description": "Sent by EventSource on reconnect; read as `after`."},
            ],
            "responses": answers(
                ("200", json!({"description": "An event stream", "content": {"text/event-stream": {"schema": {"type": "string"}}}})),
                &[400, 401, 403, 406, 500],
            ),
        }),
    );
}
