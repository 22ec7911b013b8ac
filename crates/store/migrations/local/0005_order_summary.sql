-- What offline validation's order history reads (duplicate detection, fraud velocity): the
-- order's channel and payment method as columns, so a summary of a customer's or an address's
-- orders comes from columns and child rows, never from decoding each order's document.
-- Filled from the documents already stored; written with the order from here on.

ALTER TABLE orders ADD COLUMN channel TEXT;
ALTER TABLE orders ADD COLUMN payment_method TEXT;

UPDATE orders SET
    channel = json_extract(body, '$.channel'),
    payment_method = json_extract(body, '$.payment.method');
