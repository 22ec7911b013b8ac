//! Signing in and out.

use tauri::{AppHandle, State};

use crate::dto::session::SessionDto;
use crate::error::IpcResult;
use crate::events;
use crate::state::DeskState;

/// Signs in with a server URL and a user's token; the role comes from the server. Offline, a
/// token that signed in here before opens its profile again.
#[tauri::command]
#[specta::specta]
pub async fn sign_in(
    app: AppHandle,
    state: State<'_, DeskState>,
    server_url: String,
    token: String,
) -> IpcResult<SessionDto> {
    let desk = state.sign_in(server_url, token).await?;
    state.set_forwarder(tauri::async_runtime::spawn(events::forward(
        app,
        desk.clone(),
    )));
    Ok(SessionDto::from(&desk))
}

/// Signs out: the sync engine stops; unsent work stays for the next sign-in.
#[tauri::command]
#[specta::specta]
pub async fn sign_out(state: State<'_, DeskState>) -> IpcResult<()> {
    state.sign_out().await;
    Ok(())
}

/// Who is signed in, if anyone.
#[tauri::command]
#[specta::specta]
pub async fn get_session(state: State<'_, DeskState>) -> IpcResult<Option<SessionDto>> {
    Ok(state.current().as_ref().map(SessionDto::from))
}
