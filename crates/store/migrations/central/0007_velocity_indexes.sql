-- Fraud velocity from indexes alone (central::history): how many orders an address received
-- and which customers a payment method paid for, within a window, are counted without reading
-- an order row, however many orders the address or the method already has.
--
-- `order_items.order_date` is the order's `orders.order_date`, copied into each item row (the
-- item rows are rewritten with every order write, in its transaction), so that the place index
-- can hold it.
ALTER TABLE order_items ADD COLUMN order_date INTEGER;
UPDATE order_items
   SET order_date = (SELECT o.order_date FROM orders o WHERE o.pk = order_items.order_pk);

DROP INDEX order_items_by_place;
CREATE INDEX order_items_by_place ON order_items (place_id, order_date, order_pk)
    WHERE place_id IS NOT NULL;

DROP INDEX orders_by_payment_date;
CREATE INDEX orders_by_payment_date ON orders (payment_method, order_date, customer_id)
    WHERE payment_method IS NOT NULL;
