//! `orderdesk-server`: see [`orderdesk_server::config::Config`] for the command line.

fn main() -> anyhow::Result<()> {
    orderdesk_server::run_cli()
}
