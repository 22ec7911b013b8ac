-- Reference data for offline validation: TMF620 catalog documents, addresses and exchanges,
-- customers, credit profiles and payment methods, TMF637 products, quotes. One JSON document
-- per (kind, id), kept as the server served it; `owner` is the customer a document belongs to
-- (a product, a credit profile), so a customer's inventory is one index range.

CREATE TABLE reference (
    kind       TEXT    NOT NULL,
    id         TEXT    NOT NULL,
    owner      TEXT,
    json       TEXT    NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (kind, id)
) WITHOUT ROWID;
CREATE INDEX reference_by_owner ON reference (kind, owner) WHERE owner IS NOT NULL;
