//! Identifier newtypes. Every id in the domain is its own type so that an order id can never be
//! passed where a customer id is expected. Ids are created by callers (the server, the desk, a
//! fixture) and handed in: the core never invents one.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps an id. Ids are opaque: any non-empty string is accepted by the edges.
            pub fn new(value: impl Into<String>) -> Self {
                Self(value.into())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self(value.to_owned())
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self(value)
            }
        }
    };
}

id_type!(
    /// A product order (TMF622 `ProductOrder.id`).
    OrderId
);
id_type!(
    /// A product order item, unique within its order (TMF622 `ProductOrderItem.id`).
    ItemId
);
id_type!(
    /// A customer party (the `relatedParty` with role `customer`).
    CustomerId
);
id_type!(
    /// A product offering in the catalog (TMF620 `ProductOffering.id`).
    OfferingId
);
id_type!(
    /// A product specification in the catalog (TMF620 `ProductSpecification.id`).
    SpecificationId
);
id_type!(
    /// A customer-facing service specification, e.g. `CFS:Internet-Access`.
    CfsSpecId
);
id_type!(
    /// A geographic (service) address.
    AddressId
);
id_type!(
    /// An installed product instance in inventory (TMF637 `Product.id`).
    ProductId
);
id_type!(
    /// A CPQ quote (TMF648 `Quote.id`).
    QuoteId
);
id_type!(
    /// A service order (TMF641 `ServiceOrder.id`).
    ServiceOrderId
);
id_type!(
    /// A service order item, unique within its service order.
    ServiceOrderItemId
);
id_type!(
    /// A service instance in service inventory (TMF638 `Service.id`), e.g. the CFS an installed
    /// product is realised by.
    ServiceId
);
id_type!(
    /// A user of the desk or a machine client.
    UserId
);
id_type!(
    /// A billing account.
    BillingAccountId
);
id_type!(
    /// A payment method (card, direct debit mandate) used for fraud velocity checks.
    PaymentMethodId
);
id_type!(
    /// A serving exchange / central office / headend.
    ExchangeId
);
id_type!(
    /// A cancel request (TMF622 `CancelProductOrder.id`).
    CancelRequestId
);

/// Where new ids come from. The core never invents ids: the caller passes a source (a UUID
/// generator on the server, a sequence in tests) and the core asks it.
pub trait IdSource {
    /// A new id, unique within `kind` (e.g. `serviceOrder`, `serviceOrderItem`, `alert`).
    fn next_id(&mut self, kind: &str) -> String;
}

/// Deterministic ids `PREFIX-KIND-N`, for tests, fixtures and replay.
#[derive(Debug, Clone, Default)]
pub struct SequentialIds {
    prefix: String,
    next: u64,
}

impl SequentialIds {
    pub fn new(prefix: impl Into<String>) -> Self {
        Self {
            prefix: prefix.into(),
            next: 1,
        }
    }
}

impl IdSource for SequentialIds {
    fn next_id(&mut self, kind: &str) -> String {
        let n = self.next;
        self.next += 1;
        if self.prefix.is_empty() {
            format!("{kind}-{n}")
        } else {
            format!("{}-{kind}-{n}", self.prefix)
        }
    }
}
