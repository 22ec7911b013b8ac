-- Product orders: the indexed columns every list filter or sort reads, the document (the domain
-- ProductOrder as JSON plus the raw wire extensions) in its own table so that index-driven scans
-- and row lookups touch small rows, and child tables for item-, party- and external-id filters.
-- Times are INTEGER milliseconds since the Unix epoch (UTC) everywhere in this schema.

CREATE TABLE orders (
    pk                   INTEGER PRIMARY KEY,   -- internal; child tables join on it
    id                   TEXT    NOT NULL UNIQUE,
    version              INTEGER NOT NULL,      -- the ETag
    state                TEXT    NOT NULL,      -- TMF622 wire spelling, derived from the items
    customer_id          TEXT    NOT NULL,
    channel              TEXT,
    priority             INTEGER NOT NULL,      -- 0 (highest) .. 4
    order_date           INTEGER NOT NULL,
    state_changed_at     INTEGER NOT NULL,
    requested_start      INTEGER,
    requested_completion INTEGER,
    created_by           TEXT,
    payment_method       TEXT,
    idempotency_key      TEXT,
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL
);

CREATE UNIQUE INDEX orders_by_idempotency_key ON orders (idempotency_key)
    WHERE idempotency_key IS NOT NULL;
-- state=held&sort=-orderDate, state IN (...), state + orderDate ranges; the count of a state range.
CREATE INDEX orders_by_state_date ON orders (state, order_date);
-- orderDate ranges and the default sort (-orderDate).
CREATE INDEX orders_by_date ON orders (order_date);
-- A customer's orders (desk search, duplicate detection).
CREATE INDEX orders_by_customer_date ON orders (customer_id, order_date);
-- Fraud velocity: orders paid with one payment method.
CREATE INDEX orders_by_payment_date ON orders (payment_method, order_date)
    WHERE payment_method IS NOT NULL;
CREATE INDEX orders_by_requested_start ON orders (requested_start)
    WHERE requested_start IS NOT NULL;
CREATE INDEX orders_by_requested_completion ON orders (requested_completion)
    WHERE requested_completion IS NOT NULL;

CREATE TABLE order_documents (
    order_pk   INTEGER PRIMARY KEY REFERENCES orders (pk) ON DELETE CASCADE,
    body       TEXT NOT NULL,   -- orderdesk_domain::ProductOrder as JSON
    extensions TEXT             -- unknown fields of the TMF body, echoed back
);

-- One external id per (owner, id): the owner is the id's owner, else the order's channel, else ''.
-- The primary key is what makes a create with a known (owner, externalId) idempotent.
CREATE TABLE order_external_ids (
    owner       TEXT    NOT NULL,
    external_id TEXT    NOT NULL,
    order_pk    INTEGER NOT NULL REFERENCES orders (pk) ON DELETE CASCADE,
    kind        TEXT,
    PRIMARY KEY (owner, external_id)
) WITHOUT ROWID;
CREATE INDEX order_external_ids_by_id ON order_external_ids (external_id, order_pk);
CREATE INDEX order_external_ids_by_order ON order_external_ids (order_pk);

CREATE TABLE order_items (
    order_pk    INTEGER NOT NULL REFERENCES orders (pk) ON DELETE CASCADE,
    item_id     TEXT    NOT NULL,
    state       TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    offering_id TEXT,
    place_id    TEXT,
    PRIMARY KEY (order_pk, item_id)
) WITHOUT ROWID;
-- productOrderItem.state, alone or with productOffering.id (one seek, covering).
CREATE INDEX order_items_by_state ON order_items (state, offering_id, order_pk);
CREATE INDEX order_items_by_offering ON order_items (offering_id, order_pk)
    WHERE offering_id IS NOT NULL;
CREATE INDEX order_items_by_place ON order_items (place_id, order_pk)
    WHERE place_id IS NOT NULL;

-- Every party of the order, the customer included (role `customer`).
CREATE TABLE order_parties (
    order_pk INTEGER NOT NULL REFERENCES orders (pk) ON DELETE CASCADE,
    party_id TEXT    NOT NULL,
    role     TEXT    NOT NULL,
    PRIMARY KEY (order_pk, party_id, role)
) WITHOUT ROWID;
CREATE INDEX order_parties_by_party ON order_parties (party_id, role, order_pk);

-- Append-only history: one row per accepted change, holding the whole OrderVersion as JSON.
CREATE TABLE order_versions (
    order_pk INTEGER NOT NULL REFERENCES orders (pk) ON DELETE CASCADE,
    version  INTEGER NOT NULL,
    at       INTEGER NOT NULL,
    by_user  TEXT    NOT NULL,
    body     TEXT    NOT NULL,
    PRIMARY KEY (order_pk, version)
);
CREATE TRIGGER order_versions_are_append_only BEFORE UPDATE ON order_versions
BEGIN
    SELECT RAISE(ABORT, 'order_versions is append-only');
END;

-- Running counts behind X-Total-Count for the cheapest and most common lists: orders per state
-- (`state`) and orders having at least one item in a state (`itemState`). Kept in the same
-- transaction as every order write.
CREATE TABLE order_counts (
    dimension TEXT    NOT NULL,
    value     TEXT    NOT NULL,
    n         INTEGER NOT NULL,
    PRIMARY KEY (dimension, value)
) WITHOUT ROWID;

-- The changes feed: one row per change to any synced entity, written in the change's transaction.
-- AUTOINCREMENT: a sequence number is never reused, even after the newest rows are deleted.
CREATE TABLE changes (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    at        INTEGER NOT NULL,
    entity    TEXT    NOT NULL,  -- productOrder | queueEntry | cancelProductOrder | serviceOrder | product
    entity_id TEXT    NOT NULL,
    kind      TEXT    NOT NULL,
    version   INTEGER,
    payload   TEXT    NOT NULL
);
CREATE TRIGGER changes_are_append_only BEFORE UPDATE ON changes
BEGIN
    SELECT RAISE(ABORT, 'changes is append-only');
END;
