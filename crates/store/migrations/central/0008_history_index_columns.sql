-- Validation's history questions without temporary B-trees or a row per order:
-- * a customer's open orders (duplicate detection) are told from the index, which now holds the
--   state: the walk over a customer's orders reads a row only for an open candidate;
-- * a payment method's customers come out of the index grouped, in customer order, so that
--   listing them needs no sort.
DROP INDEX orders_by_customer_date;
CREATE INDEX orders_by_customer_date ON orders (customer_id, order_date, state);

DROP INDEX orders_by_payment_date;
CREATE INDEX orders_by_payment_date ON orders (payment_method, customer_id, order_date)
    WHERE payment_method IS NOT NULL;
