//! Orders: lists, one order and its progress, search, amend, cancel, conflicts, notes.

use orderdesk_domain::ProductOrder;
use tauri::State;

use crate::dto::capture::DraftDto;
use crate::dto::orders::{NoteDto, OrderDetailDto, OrderFilterDto, OrderPageDto, OrderRowDto};
use crate::dto::progress::OrderProgressDto;
use crate::error::IpcResult;
use crate::state::DeskState;

/// A page of local orders.
#[tauri::command]
#[specta::specta]
pub async fn list_orders(
    state: State<'_, DeskState>,
    filter: OrderFilterDto,
) -> IpcResult<OrderPageDto> {
    let desk = state.desk()?;
    let page = desk.list_orders(&filter.try_into()?)?;
    Ok(OrderPageDto::of(&page, |o| desk.server_id_of(o)))
}

/// One order with its notes and, in a conflict, what changed on the server.
#[tauri::command]
#[specta::specta]
pub async fn get_order(state: State<'_, DeskState>, order_id: String) -> IpcResult<OrderDetailDto> {
    let desk = state.desk()?;
    let order = desk.order(&order_id)?;
    let notes = desk.notes(&order_id)?;
    Ok(OrderDetailDto::of(
        &order,
        desk.server_id_of(&order),
        &notes,
    ))
}

/// The order's item-level progress: the server's view (service items, milestones, jeopardy,
/// timeline, cancellation), or offline the local copy's (`fetchedAt` null).
#[tauri::command]
#[specta::specta]
pub async fn get_order_progress(
    state: State<'_, DeskState>,
    order_id: String,
) -> IpcResult<OrderProgressDto> {
    Ok(OrderProgressDto::from(
        &state.desk()?.order_progress(&order_id).await?,
    ))
}

/// Full-text search over customer name, address and order ids.
#[tauri::command]
#[specta::specta]
pub async fn search_orders(
    state: State<'_, DeskState>,
    text: String,
) -> IpcResult<Vec<OrderRowDto>> {
    let desk = state.desk()?;
    let found = desk.search_orders(&text, 100)?;
    Ok(found
        .iter()
        .map(|o| OrderRowDto::of(o, desk.server_id_of(o)))
        .collect())
}

/// Asks for the order's cancellation (waits in the outbox while offline).
#[tauri::command]
#[specta::specta]
pub async fn cancel_order(
    state: State<'_, DeskState>,
    order_id: String,
    reason: String,
) -> IpcResult<OrderRowDto> {
    let desk = state.desk()?;
    let order = desk.cancel_order(&order_id, &reason).await?;
    Ok(OrderRowDto::of(&order, desk.server_id_of(&order)))
}

/// Amends the order's requested content (waits in the outbox while offline).
#[tauri::command]
#[specta::specta]
pub async fn amend_order(
    state: State<'_, DeskState>,
    order_id: String,
    content: DraftDto,
    reason: String,
) -> IpcResult<OrderRowDto> {
    let desk = state.desk()?;
    let desired = ProductOrder::try_from(content)?;
    let order = desk.amend_order(&order_id, &desired, &reason).await?;
    Ok(OrderRowDto::of(&order, desk.server_id_of(&order)))
}

/// Resolves a conflict by taking the server's copy.
#[tauri::command]
#[specta::specta]
pub async fn accept_server_copy(
    state: State<'_, DeskState>,
    order_id: String,
) -> IpcResult<OrderRowDto> {
    let desk = state.desk()?;
    let order = desk.accept_server_copy(&order_id)?;
    Ok(OrderRowDto::of(&order, desk.server_id_of(&order)))
}

/// Resolves a conflict by keeping the local change: sent again on top of the server's newer
/// version (the fields the user changed win; the server's other changes stay).
#[tauri::command]
#[specta::specta]
pub async fn keep_local_change(
    state: State<'_, DeskState>,
    order_id: String,
) -> IpcResult<OrderRowDto> {
    let desk = state.desk()?;
    let order = desk.keep_local_change(&order_id).await?;
    Ok(OrderRowDto::of(&order, desk.server_id_of(&order)))
}

/// Adds a note to the order (needs the server).
#[tauri::command]
#[specta::specta]
pub async fn add_order_note(
    state: State<'_, DeskState>,
    order_id: String,
    text: String,
) -> IpcResult<NoteDto> {
    Ok(NoteDto::from(
        &state.desk()?.add_note(&order_id, &text).await?,
    ))
}
