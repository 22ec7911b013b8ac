-- Fulfilment: TMF641 service orders produced by decomposition (with their items' states as SOM
-- reports them) and TMF637 product inventory.

CREATE TABLE service_orders (
    id               TEXT    PRIMARY KEY,
    product_order_id TEXT    NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    state            TEXT    NOT NULL,  -- TMF641 ServiceOrderStateType
    submitted_at     INTEGER,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    body             TEXT    NOT NULL   -- orderdesk_domain::decomposition::ServiceOrder as JSON
);
CREATE INDEX service_orders_by_product_order ON service_orders (product_order_id);

CREATE TABLE service_order_items (
    service_order_id       TEXT NOT NULL REFERENCES service_orders (id) ON DELETE CASCADE,
    item_id                TEXT NOT NULL,
    state                  TEXT NOT NULL,  -- TMF641 ServiceOrderItemStateType
    cfs                    TEXT NOT NULL,
    product_order_item_ids TEXT NOT NULL,  -- JSON array of product order item ids
    PRIMARY KEY (service_order_id, item_id)
) WITHOUT ROWID;

CREATE TABLE products (
    id          TEXT    PRIMARY KEY,
    customer_id TEXT    NOT NULL,
    status      TEXT    NOT NULL,
    offering_id TEXT    NOT NULL,
    place_id    TEXT,
    updated_at  INTEGER NOT NULL,
    body        TEXT    NOT NULL  -- orderdesk_domain::reference::ProductInstance as JSON
);
CREATE INDEX products_by_customer ON products (customer_id, status);
CREATE INDEX products_by_status ON products (status);
