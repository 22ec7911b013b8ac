//! Typed events from Rust to the window: [`OrderChanged`], [`QueueChanged`],
//! [`SyncStatusChanged`]. The UI invalidates its queries on them. They are the desk core's
//! [`DeskEvent`]s, forwarded as they come by one task per signed-in desk.

use orderdesk_desk::{Desk, DeskEvent};
use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::AppHandle;
use tauri_specta::Event;
use tokio::sync::broadcast::error::RecvError;

use crate::dto::sync::SyncStatusDto;

/// An order was captured, changed locally, synced, or changed on the server.
#[derive(Debug, Clone, Serialize, Deserialize, Type, Event)]
#[serde(rename_all = "camelCase")]
pub struct OrderChanged {
    /// The order's local id.
    pub order_id: String,
    /// Its id on the server, once it has one.
    pub server_id: Option<String>,
}

/// The work queues changed: re-read them.
#[derive(Debug, Clone, Serialize, Deserialize, Type, Event)]
#[serde(rename_all = "camelCase")]
pub struct QueueChanged {}

/// Connectivity, the outbox or the last error changed.
#[derive(Debug, Clone, Serialize, Deserialize, Type, Event)]
#[serde(rename_all = "camelCase")]
pub struct SyncStatusChanged {
    pub status: SyncStatusDto,
}

/// Forwards `desk`'s events to the window until the desk's channel closes.
pub async fn forward(app: AppHandle, desk: Desk) {
    let mut rx = desk.subscribe();
    loop {
        let event = match rx.recv().await {
            Ok(e) => e,
            // Missed events only mean the window re-reads a little late: tell it to re-read all.
            Err(RecvError::Lagged(_)) => {
                emit(&app, &QueueChanged {});
                continue;
            }
            Err(RecvError::Closed) => return,
        };
        match event {
            DeskEvent::OrderChanged { order, server_id } => emit(
                &app,
                &OrderChanged {
                    order_id: order,
                    server_id,
                },
            ),
            DeskEvent::QueueChanged => emit(&app, &QueueChanged {}),
            DeskEvent::SyncStatus(status) => emit(
                &app,
                &SyncStatusChanged {
                    status: status.into(),
                },
            ),
        }
    }
}

fn emit<E: Event + Serialize + Clone>(app: &AppHandle, event: &E) {
    if let Err(e) = event.emit(app) {
        tracing::warn!(error = %e, "event not delivered to the window");
    }
}
