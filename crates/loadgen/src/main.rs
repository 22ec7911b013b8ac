//! `orderdesk-loadgen`: see [`orderdesk_loadgen::cli::Command`] for the command line.

fn main() -> anyhow::Result<()> {
    orderdesk_loadgen::run_cli()
}
