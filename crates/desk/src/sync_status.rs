//! Sync status, as the status bar shows it: online or not, how many changes wait (and how many
//! wait for the user: refused or in conflict), the last error, the last sync.

use crate::desk::Desk;
use crate::error::DeskError;
use crate::events::SyncStatus;
use crate::permission::Permission;

impl Desk {
    /// Where synchronisation stands now.
    pub fn sync_status(&self) -> Result<SyncStatus, DeskError> {
        self.require(Permission::ReadSyncStatus)?;
        self.refresh_status_counts();
        Ok(self.status_guard().clone())
    }

    /// Push and pull now, and refresh the reference data (a user's "sync now").
    pub async fn request_sync(&self) -> Result<(), DeskError> {
        self.require(Permission::ReadSyncStatus)?;
        self.sync_now().await;
        self.refresh_reference_soon().await;
        Ok(())
    }
}
