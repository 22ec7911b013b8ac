-- The outbox of changes to send to the server, and the sync cursor.
--
-- An entry is written in the transaction of the local change it carries. Sent entries are
-- deleted; an entry the server refused (4xx) stays as `failed` until the user discards or
-- replaces it, and blocks the later entries of its order, which never overtake it.
-- AUTOINCREMENT: a sequence number is never reused, even after the newest rows are deleted.

CREATE TABLE outbox (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id        TEXT    NOT NULL,
    kind            TEXT    NOT NULL,
    method          TEXT    NOT NULL,
    path            TEXT    NOT NULL,
    body            TEXT,
    idempotency_key TEXT    NOT NULL UNIQUE,
    if_match        TEXT,
    state           TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT,
    created_at      INTEGER NOT NULL
);
CREATE INDEX outbox_by_order ON outbox (order_id, seq);

-- One row: the changes feed cursor and when the last pull finished.
CREATE TABLE sync_state (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    cursor       INTEGER NOT NULL,
    last_sync_at INTEGER
);
INSERT INTO sync_state (id, cursor, last_sync_at) VALUES (1, 0, NULL);
