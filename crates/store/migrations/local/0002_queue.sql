-- The server's work queues, mirrored for offline reading. An order may sit in two queues (held
-- and jeopardy), hence the key. No foreign key: the queue may name orders not pulled yet.
--
-- rank_key = priority * 7200000 + waiting_since: the domain's ageing rank with its default step
-- (one level per 2 h) is ceil((rank_key - now) / 1000) for every entry that has started
-- waiting, so an index on rank_key walks the queue in work order whatever `now` is.

CREATE TABLE queue_entries (
    order_id      TEXT    NOT NULL,
    kind          TEXT    NOT NULL,  -- held | pending | cancellationAssessment | jeopardy
    customer_id   TEXT    NOT NULL,
    reason        TEXT,
    priority      INTEGER NOT NULL,
    waiting_since INTEGER NOT NULL,
    sla_due       INTEGER,
    claimed_by    TEXT,
    lease_until   INTEGER,
    rank_key      INTEGER NOT NULL,
    detail        TEXT,              -- the server's row as JSON (queue, reasons, jeopardy...)
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (order_id, kind),
    CHECK ((claimed_by IS NULL) = (lease_until IS NULL))
) WITHOUT ROWID;
-- The work order of one queue, optionally of one reason or one priority. Covering what the
-- searches for a page's edges read (due, arrival), so that they never leave the index.
CREATE INDEX queue_by_rank ON queue_entries (kind, rank_key, sla_due, waiting_since);
CREATE INDEX queue_by_reason_rank
    ON queue_entries (kind, reason, rank_key, sla_due, waiting_since);
CREATE INDEX queue_by_priority_rank
    ON queue_entries (kind, priority, rank_key, sla_due, waiting_since);
-- Overdue entries, earliest due first (optionally of one reason or priority).
CREATE INDEX queue_by_due ON queue_entries (kind, sla_due) WHERE sla_due IS NOT NULL;
CREATE INDEX queue_by_reason_due ON queue_entries (kind, reason, sla_due)
    WHERE sla_due IS NOT NULL;
CREATE INDEX queue_by_priority_due ON queue_entries (kind, priority, sla_due)
    WHERE sla_due IS NOT NULL;
-- The rare entry whose waiting starts after now (a clock ahead of ours).
CREATE INDEX queue_by_waiting ON queue_entries (kind, waiting_since);

-- Entries per (kind, reason, priority), kept by triggers in the writing transaction, so that the
-- total of a queue page is a handful of rows whatever the queue's size. A missing reason is the
-- empty blob X'', which no text reason equals.
CREATE TABLE queue_counts (
    kind       TEXT    NOT NULL,
    reason_key BLOB    NOT NULL,
    priority   INTEGER NOT NULL,
    n          INTEGER NOT NULL,
    PRIMARY KEY (kind, reason_key, priority)
) WITHOUT ROWID;
CREATE TRIGGER queue_counts_insert AFTER INSERT ON queue_entries
BEGIN
    INSERT INTO queue_counts (kind, reason_key, priority, n)
        VALUES (NEW.kind, coalesce(NEW.reason, X''), NEW.priority, 1)
        ON CONFLICT (kind, reason_key, priority) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER queue_counts_delete AFTER DELETE ON queue_entries
BEGIN
    UPDATE queue_counts SET n = n - 1
        WHERE kind = OLD.kind AND reason_key = coalesce(OLD.reason, X'')
          AND priority = OLD.priority;
END;
CREATE TRIGGER queue_counts_update AFTER UPDATE OF kind, reason, priority ON queue_entries
BEGIN
    UPDATE queue_counts SET n = n - 1
        WHERE kind = OLD.kind AND reason_key = coalesce(OLD.reason, X'')
          AND priority = OLD.priority;
    INSERT INTO queue_counts (kind, reason_key, priority, n)
        VALUES (NEW.kind, coalesce(NEW.reason, X''), NEW.priority, 1)
        ON CONFLICT (kind, reason_key, priority) DO UPDATE SET n = n + 1;
END;
