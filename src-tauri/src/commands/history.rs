//! Order history (supervisors).

use tauri::State;

use crate::dto::history::{DiffDto, VersionDto};
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
