-- The outbox counts the status bar shows (pending, failed) from an index: counting by state
-- over the table read every entry's row, request body included, and the desk recounts after
-- every answer the server gives while the outbox drains.
CREATE INDEX outbox_by_state ON outbox (state);
