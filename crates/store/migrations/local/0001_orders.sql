-- The desktop's local orders: the indexed columns the desk's lists and lookups read, the sync
-- status of each order, the document (the domain ProductOrder as JSON), the items and external
-- ids as child rows, the full-text index, versions and notes. One database per user profile.
-- Times are INTEGER milliseconds since the Unix epoch (UTC) everywhere in this schema.

CREATE TABLE orders (
    pk             INTEGER PRIMARY KEY,   -- internal; child tables and the FTS rowid use it
    id             TEXT    NOT NULL UNIQUE,
    version        INTEGER NOT NULL,      -- ProductOrder.version as held locally
    state          TEXT    NOT NULL,      -- TMF622 wire spelling, derived from the items
    customer_id    TEXT    NOT NULL,
    customer_name  TEXT,                  -- display/search text, given by the caller
    address_text   TEXT,                  -- display/search text, given by the caller
    priority       INTEGER NOT NULL,
    order_date     INTEGER NOT NULL,
    server_version INTEGER,               -- the server's version this copy is based on
    etag           TEXT,                  -- the server's ETag for that version, verbatim
    sync_status    TEXT    NOT NULL
        CHECK (sync_status IN ('draft', 'awaitingSync', 'synced', 'rejected', 'conflict')),
    sync_detail    TEXT,                  -- the whole SyncStatus as JSON when it carries data
    last_error     TEXT,
    updated_at     INTEGER NOT NULL,
    body           TEXT    NOT NULL       -- orderdesk_domain::ProductOrder as JSON
);
-- Lists by state or by sync status, newest first; the default list (by order date).
CREATE INDEX orders_by_state_date ON orders (state, order_date);
CREATE INDEX orders_by_sync_date ON orders (sync_status, order_date);
CREATE INDEX orders_by_date ON orders (order_date);
-- A customer's orders, newest first.
CREATE INDEX orders_by_customer_date ON orders (customer_id, order_date);

CREATE TABLE order_external_ids (
    order_pk    INTEGER NOT NULL REFERENCES orders (pk) ON DELETE CASCADE,
    external_id TEXT    NOT NULL,
    owner       TEXT    NOT NULL,  -- the id's owner, else the order's channel, else ''
    PRIMARY KEY (order_pk, external_id, owner)
) WITHOUT ROWID;
CREATE INDEX order_external_ids_by_id ON order_external_ids (external_id, order_pk);

CREATE TABLE order_items (
    order_pk    INTEGER NOT NULL REFERENCES orders (pk) ON DELETE CASCADE,
    item_id     TEXT    NOT NULL,
    state       TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    offering_id TEXT,
    place_id    TEXT,
    PRIMARY KEY (order_pk, item_id)
) WITHOUT ROWID;
-- Orders at an address (duplicate detection and fraud velocity, offline).
CREATE INDEX order_items_by_place ON order_items (place_id, order_pk) WHERE place_id IS NOT NULL;

-- Full text over the customer's name, the address text, the order id and its external ids.
-- rowid = orders.pk. unicode61 splits `ORD-1042` into `ord` `1042`; diacritics fold; the
-- 2- and 3-character prefix indexes keep short prefix queries (`"em"*`) cheap.
CREATE VIRTUAL TABLE orders_fts USING fts5 (
    order_id, external_ids, customer_name, address,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);

-- Append-only history: one row per version, the whole OrderVersion as JSON.
CREATE TABLE order_versions (
    order_id TEXT    NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    version  INTEGER NOT NULL,
    at       INTEGER NOT NULL,
    by_user  TEXT    NOT NULL,
    body     TEXT    NOT NULL,
    PRIMARY KEY (order_id, version)
);
CREATE TRIGGER order_versions_are_append_only BEFORE UPDATE ON order_versions
BEGIN
    SELECT RAISE(ABORT, 'order_versions is append-only');
END;

-- The desk's internal notes on an order, written locally (their outbox entry carries them).
CREATE TABLE order_notes (
    id       INTEGER PRIMARY KEY,
    order_id TEXT    NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    author   TEXT    NOT NULL,
    at       INTEGER NOT NULL,
    text     TEXT    NOT NULL
);
CREATE INDEX order_notes_by_order ON order_notes (order_id, at);
