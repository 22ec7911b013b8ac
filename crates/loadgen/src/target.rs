//! The server under test: its root URL (loopback only: the load generator sends nothing off
//! the machine), one HTTP client with a connection per load client, the TMF622 v5 paths, and
//! how an answer becomes an [`Outcome`].

use std::net::IpAddr;
use std::time::Duration;

use anyhow::{bail, Context};
use reqwest::{Client, Response, StatusCode};

use crate::report::Outcome;

/// The TMF622 v5 product order collection, from the server root.
pub const PRODUCT_ORDER: &str = "/tmf-api/productOrderingManagement/v5/productOrder";

/// How long one request may take before it counts as a transport error.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, Clone)]
pub struct Target {
    root: String,
    token: String,
    pub http: Client,
}

/// Refuses any URL whose host is not a loopback address or `localhost`.
fn loopback_root(url: &str) -> anyhow::Result<String> {
    let parsed = reqwest::Url::parse(url).with_context(|| format!("`{url}` is not a URL"))?;
    if parsed.scheme() != "http" {
        bail!("`{url}`: only plain http to loopback is supported");
    }
    let host = parsed.host_str().unwrap_or_default();
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let loopback = bare.eq_ignore_ascii_case("localhost")
        || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback());
    if !loopback {
        bail!("`{url}`: the load generator only talks to loopback (127.0.0.0/8, ::1, localhost)");
    }
    Ok(url.trim_end_matches('/').to_owned())
}

impl Target {
    pub fn new(url: &str, token: &str, clients: usize) -> anyhow::Result<Self> {
        let root = loopback_root(url)?;
        let http = Client::builder()
            // Never through a proxy from the environment, never redirected off loopback.
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(clients.max(1))
            .tcp_nodelay(true)
            .timeout(REQUEST_TIMEOUT)
            .build()
            .context("cannot build the HTTP client")?;
        Ok(Self {
            root,
            token: token.to_owned(),
            http,
        })
    }

    /// `{root}{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.root)
    }

    pub fn get(&self, path: &str) -> reqwest::RequestBuilder {
        self.http.get(self.url(path)).bearer_auth(&self.token)
    }

    pub fn post_json(&self, path: &str, body: Vec<u8>) -> reqwest::RequestBuilder {
        self.http
            .post(self.url(path))
            .bearer_auth(&self.token)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body)
    }

    /// How many orders match `filter` (a TMF630 query string, may be empty): the list's
    /// `X-Total-Count`.
    pub async fn count(&self, filter: &str) -> anyhow::Result<u64> {
        let sep = if filter.is_empty() { "" } else { "&" };
        let path = format!("{PRODUCT_ORDER}?{filter}{sep}limit=1&fields=id");
        let response = self
            .get(&path)
            .send()
            .await
            .with_context(|| format!("GET {path}"))?;
        let status = response.status();
        let total = response
            .headers()
            .get("X-Total-Count")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok());
        let body = response.text().await.unwrap_or_default();
        match (status.is_success(), total) {
            (true, Some(n)) => Ok(n),
            (true, None) => bail!("GET {path}: no X-Total-Count"),
            (false, _) => bail!("GET {path}: {status}: {body}"),
        }
    }
}

/// Reads the whole answer; `expected` is the one status the run accepts.
pub async fn outcome(sent: reqwest::Result<Response>, expected: StatusCode) -> Outcome {
    let response = match sent {
        Ok(r) => r,
        Err(e) => return Outcome::Transport(e.to_string()),
    };
    let status = response.status();
    match response.bytes().await {
        Err(e) => Outcome::Transport(format!("reading the body of a {status}: {e}")),
        Ok(_) if status == expected => Outcome::Ok,
        Ok(body) => Outcome::refused(
            format!("HTTP {}", status.as_u16()),
            &String::from_utf8_lossy(&body),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback() {
        for ok in [
            "http://127.0.0.1:8622",
            "http://127.0.0.2:1/",
            "http://localhost:9",
            "http://[::1]:8622",
        ] {
            assert!(loopback_root(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://10.0.0.1:8622",
            "http://example.com",
            "https://127.0.0.1:1",
            "http://[::2]:1",
            "nope",
        ] {
            assert!(loopback_root(bad).is_err(), "{bad}");
        }
        assert_eq!(
            loopback_root("http://127.0.0.1:8622/").unwrap(),
            "http://127.0.0.1:8622"
        );
    }
}
