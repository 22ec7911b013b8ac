//! The Orderdesk desktop shell: builds the Tauri app, opens the main window on the UI in `ui/`,
//! and (in later issues) registers the IPC commands and the app state they reach.
//!
//! It owns wiring only. Order rules live in `orderdesk-domain`, wire formats in `orderdesk-tmf`;
//! this is the one crate that depends on tauri.

/// Runs the desktop app until its last window closes.
///
/// Without the `custom-protocol` feature the window loads the Vite dev server
/// (`build.devUrl` in `tauri.conf.json`); with it, the built `ui/dist` embedded in the binary.
pub fn run() -> tauri::Result<()> {
    tauri::Builder::default().run(tauri::generate_context!("../tauri.conf.json"))
}
