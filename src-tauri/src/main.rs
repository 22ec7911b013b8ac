// No console window next to the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() -> tauri::Result<()> {
    orderdesk_desktop::tune_webview_environment();
    orderdesk_desktop::run()
}
