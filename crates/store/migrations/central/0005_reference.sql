-- Reference data loaded in demo mode (catalog, addresses, customers, users...): one JSON
-- document per (kind, id). Users are found by their bearer token through an expression index.

CREATE TABLE reference (
    kind TEXT NOT NULL,
    id   TEXT NOT NULL,
    json TEXT NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE INDEX reference_users_by_token ON reference (json_extract(json, '$.token'))
    WHERE kind = 'user';
