//! Reads the Tauri config at the repository root (next to `ui/`, not next to this crate, so no
//! tauri CLI is needed) and generates the capability/ACL data `generate_context!` embeds.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    tauri_build::try_build(tauri_build::Attributes::new().config_path("../tauri.conf.json"))?;
    if std::env::var_os("CARGO_FEATURE_CUSTOM_PROTOCOL").is_some() {
        // `generate_context!` embeds ui/dist when the crate compiles, and a proc macro cannot
        // tell cargo what it read: rerunning this script on a new UI build forces that compile.
        println!("cargo:rerun-if-changed=../ui/dist");
    }
    Ok(())
}
