//! Every stable result code of the standard checks, in one place. Codes are a contract with the
//! desk UI, the server's `productOrderErrorMessage` and reports: never rename or reuse one; add a
//! new one instead. Each comment gives the outcome the standard checks attach to the code.
//! Plugged-in checks may define their own codes, prefixed like these by their check (`RULE_`...).

/// Hold: a check pushed no result at all (a faulty plugged-in check), so nothing vouches for it.
pub const CHECK_SILENT: &str = "CHECK_SILENT";

/// Pass.
pub const CATALOG_OK: &str = "CATALOG_OK";
/// Reject: the item names no product offering.
pub const CATALOG_OFFERING_MISSING: &str = "CATALOG_OFFERING_MISSING";
/// Reject: the catalog has no such offering.
pub const CATALOG_OFFERING_NOT_FOUND: &str = "CATALOG_OFFERING_NOT_FOUND";
/// Reject: the offering's lifecycle status does not allow new orders (retired, in design...).
pub const CATALOG_OFFERING_NOT_ORDERABLE: &str = "CATALOG_OFFERING_NOT_ORDERABLE";
/// Reject: the offering is not sellable (e.g. staff-only, withdrawn from sale).
pub const CATALOG_OFFERING_NOT_SELLABLE: &str = "CATALOG_OFFERING_NOT_SELLABLE";
/// Reject: the order date is outside the offering's `validFor`.
pub const CATALOG_OFFERING_OUTSIDE_VALIDITY: &str = "CATALOG_OFFERING_OUTSIDE_VALIDITY";
/// Hold (review): the offering's specification is missing from the catalog (a data fault on our
/// side, not the customer's).
pub const CATALOG_SPECIFICATION_NOT_FOUND: &str = "CATALOG_SPECIFICATION_NOT_FOUND";
/// Reject: a mandatory characteristic without default is missing on an add.
pub const CATALOG_CHARACTERISTIC_MISSING: &str = "CATALOG_CHARACTERISTIC_MISSING";
/// Reject: a characteristic value is not among the specification's allowed values.
pub const CATALOG_CHARACTERISTIC_VALUE_NOT_ALLOWED: &str =
    "CATALOG_CHARACTERISTIC_VALUE_NOT_ALLOWED";
/// Warn: the specification has no such characteristic; it will be ignored.
pub const CATALOG_CHARACTERISTIC_UNKNOWN: &str = "CATALOG_CHARACTERISTIC_UNKNOWN";
/// Reject: a modify / delete / noChange item names no installed product.
pub const CATALOG_PRODUCT_REFERENCE_MISSING: &str = "CATALOG_PRODUCT_REFERENCE_MISSING";
/// Reject: the installed product is not in inventory.
pub const CATALOG_PRODUCT_NOT_FOUND: &str = "CATALOG_PRODUCT_NOT_FOUND";
/// Reject: the installed product belongs to another customer.
pub const CATALOG_PRODUCT_NOT_OWNED: &str = "CATALOG_PRODUCT_NOT_OWNED";
/// Reject: the installed product is terminated or being terminated.
pub const CATALOG_PRODUCT_NOT_LIVE: &str = "CATALOG_PRODUCT_NOT_LIVE";
/// Reject: the item's offering differs from the installed product's (a migration is add + delete).
pub const CATALOG_PRODUCT_OFFERING_MISMATCH: &str = "CATALOG_PRODUCT_OFFERING_MISMATCH";
/// Reject: two items on the order exclude each other.
pub const CATALOG_INCOMPATIBLE_ITEMS: &str = "CATALOG_INCOMPATIBLE_ITEMS";
/// Reject: an added offering and a product the customer keeps exclude each other.
pub const CATALOG_INCOMPATIBLE_WITH_INSTALLED: &str = "CATALOG_INCOMPATIBLE_WITH_INSTALLED";
/// Reject: none of the offerings an add-on requires is on the order or installed.
pub const CATALOG_REQUIREMENT_MISSING: &str = "CATALOG_REQUIREMENT_MISSING";
/// Reject: an item bundled in a bundle item is not one of the bundle's components.
pub const CATALOG_BUNDLE_COMPONENT_NOT_ALLOWED: &str = "CATALOG_BUNDLE_COMPONENT_NOT_ALLOWED";
/// Reject: a component of an added bundle has no item bundled in it.
pub const CATALOG_BUNDLE_COMPONENT_MISSING: &str = "CATALOG_BUNDLE_COMPONENT_MISSING";

/// Pass; the message names the technology.
pub const ADDRESS_OK: &str = "ADDRESS_OK";
/// Reject: an address-bound offering is added without a service address.
pub const ADDRESS_MISSING: &str = "ADDRESS_MISSING";
/// Reject: the address directory does not know the place.
pub const ADDRESS_NOT_FOUND: &str = "ADDRESS_NOT_FOUND";
/// Reject: no network reaches the address.
pub const ADDRESS_NOT_SERVICEABLE: &str = "ADDRESS_NOT_SERVICEABLE";
/// Reject: none of the offering's technologies is available there; suggests one that is.
pub const ADDRESS_TECHNOLOGY_UNAVAILABLE: &str = "ADDRESS_TECHNOLOGY_UNAVAILABLE";

/// Pass.
pub const CREDIT_OK: &str = "CREDIT_OK";
/// Hold (deposit queue, order pends): collect the deposit in `CheckResult::amount`.
pub const CREDIT_DEPOSIT_REQUIRED: &str = "CREDIT_DEPOSIT_REQUIRED";
/// Hold (credit referral): a supervisor approves or declines.
pub const CREDIT_REFER: &str = "CREDIT_REFER";
/// Reject.
pub const CREDIT_DECLINED: &str = "CREDIT_DECLINED";

/// Pass.
pub const FRAUD_OK: &str = "FRAUD_OK";
/// Hold (fraud): too many orders from the customer within the window.
pub const FRAUD_VELOCITY_CUSTOMER: &str = "FRAUD_VELOCITY_CUSTOMER";
/// Hold (fraud): too many orders for one address within the window.
pub const FRAUD_VELOCITY_ADDRESS: &str = "FRAUD_VELOCITY_ADDRESS";
/// Hold (fraud): too many customers paying with one payment method within the window.
pub const FRAUD_VELOCITY_PAYMENT: &str = "FRAUD_VELOCITY_PAYMENT";
/// Hold (fraud): the payment holder is not the customer.
pub const FRAUD_IDENTITY_MISMATCH: &str = "FRAUD_IDENTITY_MISMATCH";
/// Hold (fraud): the customer is unknown, or has no verified identity and buys high-risk goods.
pub const FRAUD_IDENTITY_UNVERIFIED: &str = "FRAUD_IDENTITY_UNVERIFIED";
/// Warn: a first-time customer orders a high-risk product.
pub const FRAUD_NEW_CUSTOMER_HIGH_RISK: &str = "FRAUD_NEW_CUSTOMER_HIGH_RISK";

/// Pass.
pub const DUPLICATE_OK: &str = "DUPLICATE_OK";
/// Reject: another live order carries the same external id.
pub const DUPLICATE_EXTERNAL_ID: &str = "DUPLICATE_EXTERNAL_ID";
/// Hold (review): an open order of the customer already adds the offering at the address.
pub const DUPLICATE_OPEN_ORDER: &str = "DUPLICATE_OPEN_ORDER";

/// Pass.
pub const INVENTORY_OK: &str = "INVENTORY_OK";
/// Hold (capacity): no free port for the technology at the serving exchange.
pub const INVENTORY_EXCHANGE_FULL: &str = "INVENTORY_EXCHANGE_FULL";
/// Warn: few ports left after this order.
pub const INVENTORY_LOW_CAPACITY: &str = "INVENTORY_LOW_CAPACITY";
/// Hold (capacity): the address names an exchange the directory does not know.
pub const INVENTORY_EXCHANGE_UNKNOWN: &str = "INVENTORY_EXCHANGE_UNKNOWN";

/// Pass.
pub const RULE_OK: &str = "RULE_OK";
/// Reject: the customer would hold more of the offering than allowed.
pub const RULE_MAX_PER_ACCOUNT: &str = "RULE_MAX_PER_ACCOUNT";
/// Warn: a product is ceased inside its minimum term; an early termination charge applies.
pub const RULE_EARLY_TERMINATION: &str = "RULE_EARLY_TERMINATION";
/// Hold (review): a second contract bundle for the customer.
pub const RULE_CONTRACT_BUNDLE_CONFLICT: &str = "RULE_CONTRACT_BUNDLE_CONFLICT";
/// Reject: a residential customer under the minimum age orders a contract product.
pub const RULE_MINIMUM_AGE: &str = "RULE_MINIMUM_AGE";
/// Hold (review): the age of a residential customer ordering a contract product is unknown.
pub const RULE_AGE_UNVERIFIED: &str = "RULE_AGE_UNVERIFIED";
/// Reject: fixed voice without a validated service address (emergency caller location).
pub const RULE_EMERGENCY_ADDRESS: &str = "RULE_EMERGENCY_ADDRESS";
