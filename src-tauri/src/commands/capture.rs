//! Capture: drafts, local validation, the decomposition preview, submission.

use orderdesk_domain::ProductOrder;
use tauri::State;

use crate::dto::capture::{DecompositionDto, DraftDto, SubmittedDto, ValidationDto};
use crate::dto::orders::OrderRowDto;
use crate::error::IpcResult;
use crate::state::DeskState;

/// A new draft from a quote.
#[tauri::command]
#[specta::specta]
pub async fn create_draft_from_quote(
    state: State<'_, DeskState>,
    quote_id: String,
) -> IpcResult<DraftDto> {
    Ok(DraftDto::from(&state.desk()?.draft_from_quote(&quote_id)?))
}

/// A new draft changing an installed product.
#[tauri::command]
#[specta::specta]
pub async fn start_modify_order(
    state: State<'_, DeskState>,
    product_id: String,
) -> IpcResult<DraftDto> {
    Ok(DraftDto::from(&state.desk()?.start_modify(&product_id)?))
}

/// A new draft ceasing an installed product.
#[tauri::command]
#[specta::specta]
pub async fn start_cease_order(
    state: State<'_, DeskState>,
    product_id: String,
) -> IpcResult<DraftDto> {
    Ok(DraftDto::from(&state.desk()?.start_cease(&product_id)?))
}

/// Local validation of a draft (offline too).
#[tauri::command]
#[specta::specta]
pub async fn validate_draft(
    state: State<'_, DeskState>,
    draft: DraftDto,
) -> IpcResult<ValidationDto> {
    let order = ProductOrder::try_from(draft)?;
    Ok(ValidationDto::from(&state.desk()?.validate_draft(&order)?))
}

/// The service order a draft would decompose into.
#[tauri::command]
#[specta::specta]
pub async fn preview_decomposition(
    state: State<'_, DeskState>,
    draft: DraftDto,
) -> IpcResult<DecompositionDto> {
    let order = ProductOrder::try_from(draft)?;
    Ok(DecompositionDto::from(
        &state.desk()?.decomposition_preview(&order)?,
    ))
}

/// Keeps a draft locally to finish later.
#[tauri::command]
#[specta::specta]
pub async fn save_draft(state: State<'_, DeskState>, draft: DraftDto) -> IpcResult<OrderRowDto> {
    let order = ProductOrder::try_from(draft)?;
    let saved = state.desk()?.save_draft(&order)?;
    Ok(OrderRowDto::of(&saved, None))
}

/// The saved drafts, newest first.
#[tauri::command]
#[specta::specta]
pub async fn list_drafts(state: State<'_, DeskState>) -> IpcResult<Vec<DraftDto>> {
    let drafts = state.desk()?.drafts(200)?;
    Ok(drafts.iter().map(|d| DraftDto::from(&d.order)).collect())
}

/// Submits a draft: validated locally, stored as awaiting sync, created on the server once.
#[tauri::command]
#[specta::specta]
pub async fn submit_draft(state: State<'_, DeskState>, draft: DraftDto) -> IpcResult<SubmittedDto> {
    let order = ProductOrder::try_from(draft)?;
    Ok(SubmittedDto::from(&state.desk()?.submit(&order).await?))
}
