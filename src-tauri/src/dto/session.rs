//! Who is signed in.

use orderdesk_desk::Desk;
use serde::{Deserialize, Serialize};
use specta::Type;

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SessionDto {
    pub user_id: String,
    pub name: String,
    /// `agent`, `backoffice` or `supervisor`.
    pub role: String,
    /// The rights the role holds (`captureOrders`, `workQueue`...): what the UI shows. The desk
    /// checks them again on every command.
    pub rights: Vec<String>,
    pub server_url: String,
}

impl From<&Desk> for SessionDto {
    fn from(desk: &Desk) -> Self {
        let s = desk.session();
        Self {
            user_id: s.user_id.to_string(),
            name: s.name.clone(),
            role: s.role.as_str().to_owned(),
            rights: s.rights().iter().map(|p| p.as_str().to_owned()).collect(),
            server_url: desk.server_url().to_owned(),
        }
    }
}
