//! Sync status.

use tauri::State;

use crate::dto::sync::SyncStatusDto;
use crate::error::IpcResult;
use crate::state::DeskState;

/// Where synchronisation stands.
#[tauri::command]
#[specta::specta]
pub async fn get_sync_status(state: State<'_, DeskState>) -> IpcResult<SyncStatusDto> {
    Ok(state.desk()?.sync_status()?.into())
}

/// Push and pull now.
#[tauri::command]
#[specta::specta]
pub async fn sync_now(state: State<'_, DeskState>) -> IpcResult<()> {
    Ok(state.desk()?.request_sync().await?)
}
