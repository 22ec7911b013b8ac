//! Credit exceptions.

use orderdesk_desk::approvals::CreditException;
use serde::{Deserialize, Serialize};
use specta::Type;

use super::queue::QueueEntryDto;
use super::{opt_time, MoneyDto};

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CreditExceptionDto {
    pub entry: QueueEntryDto,
    /// `creditReferral` or `deposit`.
    pub queue: String,
    /// The server's figures (absent offline).
    pub figures: Option<CreditFiguresDto>,
}

/// The customer's credit and what the order adds.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CreditFiguresDto {
    pub score: Option<u32>,
    pub checked_at: Option<String>,
    pub monthly_exposure: Option<MoneyDto>,
    pub exposure_limit: Option<MoneyDto>,
    pub arrears: Option<MoneyDto>,
    pub charges_added: Option<MoneyDto>,
    pub charges_removed: Option<MoneyDto>,
    pub exposure_after: Option<MoneyDto>,
    pub within_limit: Option<bool>,
}

impl From<&CreditException> for CreditExceptionDto {
    fn from(c: &CreditException) -> Self {
        Self {
            entry: QueueEntryDto::from(&c.entry),
            queue: c.queue.clone(),
            figures: c.figures.as_ref().map(|f| CreditFiguresDto {
                score: f.score.map(u32::from),
                checked_at: opt_time(f.checked_at),
                monthly_exposure: f.monthly_exposure.as_ref().map(MoneyDto::from),
                exposure_limit: f.exposure_limit.as_ref().map(MoneyDto::from),
                arrears: f.arrears.as_ref().map(MoneyDto::from),
                charges_added: f.charges_added.as_ref().map(MoneyDto::from),
                charges_removed: f.charges_removed.as_ref().map(MoneyDto::from),
                exposure_after: f.exposure_after.as_ref().map(MoneyDto::from),
                within_limit: f.within_limit,
            }),
        }
    }
}
