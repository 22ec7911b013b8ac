//! The work queues: read from the local mirror, acted on through the server.

use tauri::State;

use crate::dto::count;
use crate::dto::queue::{QueueEntryDto, QueueFilterDto, QueuePageDto};
use crate::error::IpcResult;
use crate::state::DeskState;

/// A page of the queues in work order (offline: the last mirrored state).
#[tauri::command]
#[specta::specta]
pub async fn list_queue(
    state: State<'_, DeskState>,
    filter: QueueFilterDto,
) -> IpcResult<QueuePageDto> {
    Ok(QueuePageDto::from(
        &state.desk()?.list_queue(&filter.try_into()?)?,
    ))
}

/// Reads the server's queues into the mirror; answers how many entries there are.
#[tauri::command]
#[specta::specta]
pub async fn refresh_queue(state: State<'_, DeskState>) -> IpcResult<u32> {
    Ok(count(state.desk()?.refresh_queue().await?))
}

/// Claims the entry.
#[tauri::command]
#[specta::specta]
pub async fn claim_entry(
    state: State<'_, DeskState>,
    order_id: String,
    lease_seconds: Option<u32>,
) -> IpcResult<QueueEntryDto> {
    Ok(QueueEntryDto::from(
        &state.desk()?.claim(&order_id, lease_seconds).await?,
    ))
}

/// Gives the claim back.
#[tauri::command]
#[specta::specta]
pub async fn release_entry(
    state: State<'_, DeskState>,
    order_id: String,
) -> IpcResult<QueueEntryDto> {
    Ok(QueueEntryDto::from(
        &state.desk()?.release(&order_id).await?,
    ))
}

/// Resolves the hold (needs the claim).
#[tauri::command]
#[specta::specta]
pub async fn resolve_entry(
    state: State<'_, DeskState>,
    order_id: String,
    reason: String,
    note: Option<String>,
) -> IpcResult<()> {
    Ok(state
        .desk()?
        .resolve(&order_id, &reason, note.as_deref())
        .await?)
}

/// Rejects the order (needs the claim).
#[tauri::command]
#[specta::specta]
pub async fn reject_entry(
    state: State<'_, DeskState>,
    order_id: String,
    reason: String,
) -> IpcResult<()> {
    Ok(state.desk()?.reject(&order_id, &reason).await?)
}

/// Cancels the queued order (needs the claim).
#[tauri::command]
#[specta::specta]
pub async fn cancel_entry(
    state: State<'_, DeskState>,
    order_id: String,
    reason: String,
) -> IpcResult<()> {
    Ok(state.desk()?.cancel_queued(&order_id, &reason).await?)
}

/// Records the deposit a pending order waits for (needs the claim).
#[tauri::command]
#[specta::specta]
pub async fn record_deposit(
    state: State<'_, DeskState>,
    order_id: String,
    reference: String,
    note: Option<String>,
) -> IpcResult<()> {
    Ok(state
        .desk()?
        .record_deposit(&order_id, &reference, note.as_deref())
        .await?)
}
