//! Credit exceptions (supervisors).

use tauri::State;

use crate::dto::approvals::CreditExceptionDto;
use crate::dto::MoneyDto;
use crate::error::IpcResult;
use crate::state::DeskState;

/// The credit referrals and deposit waits (`queue`: one of them, or both).
#[tauri::command]
#[specta::specta]
pub async fn list_credit_exceptions(
    state: State<'_, DeskState>,
    queue: Option<String>,
) -> IpcResult<Vec<CreditExceptionDto>> {
    let list = state.desk()?.credit_exceptions(queue.as_deref()).await?;
    Ok(list.iter().map(CreditExceptionDto::from).collect())
}

/// Approves the referral (needs the claim).
#[tauri::command]
#[specta::specta]
pub async fn approve_credit(
    state: State<'_, DeskState>,
    order_id: String,
    reason: String,
) -> IpcResult<()> {
    Ok(state.desk()?.approve_credit(&order_id, &reason).await?)
}

/// Asks for a deposit (needs the claim).
#[tauri::command]
#[specta::specta]
pub async fn require_deposit(
    state: State<'_, DeskState>,
    order_id: String,
    amount: MoneyDto,
    reason: String,
) -> IpcResult<()> {
    let amount = amount.parse("amount")?;
    Ok(state
        .desk()?
        .require_deposit(&order_id, &amount, &reason)
        .await?)
}

/// Declines the referral (needs the claim).
#[tauri::command]
#[specta::specta]
pub async fn decline_credit(
    state: State<'_, DeskState>,
    order_id: String,
    reason: String,
) -> IpcResult<()> {
    Ok(state.desk()?.decline_credit(&order_id, &reason).await?)
}
