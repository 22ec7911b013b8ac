//! Decomposition of product order items into service order items (CFS). See module docs once written.
