//! Quotes, offerings, installed products.

use tauri::State;

use crate::dto::catalog::{OfferingDto, ProductDto, QuoteSummaryDto};
use crate::error::IpcResult;
use crate::state::DeskState;

/// Quotes whose id, customer id or customer name match every word of `query`.
#[tauri::command]
#[specta::specta]
pub async fn find_quotes(
    state: State<'_, DeskState>,
    query: String,
) -> IpcResult<Vec<QuoteSummaryDto>> {
    let quotes = state.desk()?.find_quotes(&query)?;
    Ok(quotes.into_iter().map(QuoteSummaryDto::from).collect())
}

/// Keeps a TMF648 quote handed over as a JSON file with the others.
#[tauri::command]
#[specta::specta]
pub async fn open_quote_file(
    state: State<'_, DeskState>,
    json: String,
) -> IpcResult<QuoteSummaryDto> {
    Ok(state.desk()?.open_quote_file(&json)?.into())
}

/// The catalog's offerings.
#[tauri::command]
#[specta::specta]
pub async fn list_offerings(state: State<'_, DeskState>) -> IpcResult<Vec<OfferingDto>> {
    let offerings = state.desk()?.offerings()?;
    Ok(offerings.into_iter().map(OfferingDto::from).collect())
}

/// A customer's installed products.
#[tauri::command]
#[specta::specta]
pub async fn list_customer_products(
    state: State<'_, DeskState>,
    customer_id: String,
) -> IpcResult<Vec<ProductDto>> {
    let products = state.desk()?.customer_products(&customer_id)?;
    Ok(products.into_iter().map(ProductDto::from).collect())
}
