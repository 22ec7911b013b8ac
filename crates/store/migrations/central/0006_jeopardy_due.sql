-- The server's periodic passes read only the orders they can affect.
--
-- `jeopardy_due`: when the jeopardy assessment next raises an alert on the order as stored
-- (orderdesk_domain::desk::jeopardy::next_alert_at under the default policy), in NANOSECONDS
-- since the Unix epoch (UTC) — not milliseconds like the other times of this schema, so that
-- `jeopardy_due <= now` says exactly what the domain says, to the instant. NULL when no alert
-- can come (drafts, finished orders, untimed states without an expected completion date, every
-- condition alerted). Written with every order write, in its transaction.
ALTER TABLE orders ADD COLUMN jeopardy_due INTEGER;
CREATE INDEX orders_by_jeopardy_due ON orders (jeopardy_due) WHERE jeopardy_due IS NOT NULL;

-- Orders written before this migration: open ones are marked due at once (the smallest
-- INTEGER); opening the store computes their real value from the document (the domain's rule
-- is not SQL), and until then they are read as due, as every open order used to be.
UPDATE orders SET jeopardy_due = -9223372036854775808
 WHERE state NOT IN ('draft', 'completed', 'cancelled', 'rejected', 'failed', 'partial');
