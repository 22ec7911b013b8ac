-- The desk's work queues (one entry per order) with their lease-style claims, the desk's
-- internal notes on an order, and TMF622 cancel requests.

CREATE TABLE queue_entries (
    order_id      TEXT    PRIMARY KEY REFERENCES orders (id) ON DELETE CASCADE,
    customer_id   TEXT    NOT NULL,
    kind          TEXT    NOT NULL,  -- held | pending | cancellationAssessment | jeopardy
    reason        TEXT,
    priority      INTEGER NOT NULL,
    waiting_since INTEGER NOT NULL,
    sla_due       INTEGER,
    claimed_by    TEXT,
    lease_until   INTEGER,
    updated_at    INTEGER NOT NULL,
    CHECK ((claimed_by IS NULL) = (lease_until IS NULL))
);
CREATE INDEX queue_entries_by_kind ON queue_entries (kind, waiting_since);

-- Internal notes (never sent to the customer); they outlive the order's stay in a queue.
CREATE TABLE desk_notes (
    id       INTEGER PRIMARY KEY,
    order_id TEXT    NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    author   TEXT    NOT NULL,
    at       INTEGER NOT NULL,
    text     TEXT    NOT NULL
);
CREATE INDEX desk_notes_by_order ON desk_notes (order_id, at);

CREATE TABLE cancel_requests (
    id         TEXT    PRIMARY KEY,
    order_id   TEXT    NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    state      TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    body       TEXT    NOT NULL  -- orderdesk_domain::desk::CancelRequest as JSON
);
CREATE INDEX cancel_requests_by_order ON cancel_requests (order_id, created_at);
CREATE INDEX cancel_requests_by_state ON cancel_requests (state, created_at);
