//! Order history (supervisors): an order's versions and diffs, and the search over the
//! server's orders. Versions and diffs take the local id or the server's, so an order found in
//! history opens whether or not this desk holds it.

use orderdesk_desk::history_search::HistoryFilter;
use tauri::State;

use crate::dto::history::{DiffDto, HistoryFilterDto, HistoryPageDto, VersionDto};
use crate::error::IpcResult;
use crate::state::DeskState;

/// The order's versions, oldest first.
#[tauri::command]
#[specta::specta]
pub async fn list_versions(
    state: State<'_, DeskState>,
    order_id: String,
) -> IpcResult<Vec<VersionDto>> {
    let versions = state.desk()?.versions(&order_id).await?;
    Ok(versions.iter().map(VersionDto::from).collect())
}

/// What changed between two versions (default: the last two).
#[tauri::command]
#[specta::specta]
pub async fn get_order_diff(
    state: State<'_, DeskState>,
    order_id: String,
    from: Option<u32>,
    to: Option<u32>,
) -> IpcResult<DiffDto> {
    Ok(DiffDto::from(
        &state.desk()?.diff(&order_id, from, to).await?,
    ))
}

/// A page of the server's orders by customer, agent, channel, state and order date (needs the
/// server: `offline` without it).
#[tauri::command]
#[specta::specta]
pub async fn search_history(
    state: State<'_, DeskState>,
    filter: HistoryFilterDto,
) -> IpcResult<HistoryPageDto> {
    let filter = HistoryFilter::try_from(filter)?;
    Ok(HistoryPageDto::from(
        &state.desk()?.search_history(&filter).await?,
    ))
}
