-- Offline fraud velocity from an index alone (local::history): how many orders an address
-- received within a window is counted without reading an order row, however many of the desk's
-- orders went to that address.
--
-- `order_items.order_date` is the order's `orders.order_date`, copied into each item row (the
-- item rows are rewritten with every save of the order, in its transaction).
ALTER TABLE order_items ADD COLUMN order_date INTEGER;
UPDATE order_items
   SET order_date = (SELECT o.order_date FROM orders o WHERE o.pk = order_items.order_pk);

DROP INDEX order_items_by_place;
CREATE INDEX order_items_by_place ON order_items (place_id, order_date, order_pk)
    WHERE place_id IS NOT NULL;
