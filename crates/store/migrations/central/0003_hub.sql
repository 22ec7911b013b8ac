-- TMF hub subscriptions and the notification outbox. A delivery row is written in the same
-- transaction as the change it reports; the notifier works the due rows and records each attempt.

CREATE TABLE hub_subscriptions (
    id          TEXT    PRIMARY KEY,
    callback    TEXT    NOT NULL,
    query       TEXT,
    api_version TEXT    NOT NULL CHECK (api_version IN ('v4', 'v5')),
    created_at  INTEGER NOT NULL
);

CREATE TABLE deliveries (
    id              INTEGER PRIMARY KEY,
    subscription_id TEXT    NOT NULL REFERENCES hub_subscriptions (id) ON DELETE CASCADE,
    event_type      TEXT    NOT NULL,
    payload         TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER,          -- NULL once delivered or given up
    delivered_at    INTEGER,
    last_error      TEXT
);
-- Only pending rows are indexed: the outbox stays cheap to poll however much history it keeps.
CREATE INDEX deliveries_due ON deliveries (next_attempt_at)
    WHERE delivered_at IS NULL AND next_attempt_at IS NOT NULL;
CREATE INDEX deliveries_by_subscription ON deliveries (subscription_id);
