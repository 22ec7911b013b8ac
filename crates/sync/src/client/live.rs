//! The live push (`GET /orderdesk/v1/live`, server-sent events), read by hand from the
//! response's chunks: [`SseParser`] turns bytes into [`LiveEvent`]s (pure, fed whatever chunk
//! boundaries the network makes), [`LiveStream`] pulls chunks and hands events out.
//!
//! Lines end in LF or CRLF (what servers send; a lone CR is not read as a line end). Comments
//! (`:` lines, the keep-alives) are dropped; `data` lines join with `\n`; an event is dispatched
//! at a blank line, and one without data is dropped, as the EventSource specification says.

use reqwest::header;
use reqwest::Method;

use super::desk::DESK;
use super::{FeedChange, ServerClient};
use crate::error::SyncError;

/// One server-sent event.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LiveEvent {
    /// `id:` (the feed's `seq`).
    pub id: Option<String>,
    /// `event:` (`message` when none was given).
    pub event: String,
    pub data: String,
}

impl LiveEvent {
    /// The change a `change` event carries.
    pub fn change(&self) -> Option<FeedChange> {
        (self.event == "change")
            .then(|| serde_json::from_str(&self.data).ok())
            .flatten()
    }
}

/// The longest line kept (a longer one is a broken or hostile stream: it is cut).
const MAX_LINE: usize = 1 << 20;

/// Server-sent events from bytes.
#[derive(Debug, Default)]
pub struct SseParser {
    line: Vec<u8>,
    event: Option<String>,
    data: Option<String>,
    id: Option<String>,
}

impl SseParser {
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads `chunk`, returning the events it completes.
    pub fn feed(&mut self, chunk: &[u8]) -> Vec<LiveEvent> {
        let mut out = Vec::new();
        for &b in chunk {
            if b == b'\n' {
                let mut line = std::mem::take(&mut self.line);
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                if let Some(event) = self.line_done(&String::from_utf8_lossy(&line)) {
                    out.push(event);
                }
            } else if self.line.len() < MAX_LINE {
                self.line.push(b);
            }
        }
        out
    }

    fn line_done(&mut self, line: &str) -> Option<LiveEvent> {
        if line.is_empty() {
            let data = self.data.take();
            let event = self.event.take();
            return data.map(|data| LiveEvent {
                id: self.id.clone(),
                event: event.unwrap_or_else(|| "message".to_owned()),
                data,
            });
        }
        if line.starts_with(':') {
            return None;
        }
        let (field, value) = match line.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (line, ""),
        };
        match field {
            "event" => self.event = Some(value.to_owned()),
            "data" => match &mut self.data {
                Some(data) => {
                    data.push('\n');
                    data.push_str(value);
                }
                None => self.data = Some(value.to_owned()),
            },
            "id" if !value.contains('\0') => self.id = Some(value.to_owned()),
            _ => {}
        }
        None
    }
}

/// An open live push.
#[derive(Debug)]
pub struct LiveStream {
    response: reqwest::Response,
    parser: SseParser,
    ready: std::collections::VecDeque<LiveEvent>,
}

impl LiveStream {
    /// The next event; `Ok(None)` when the server ended the stream.
    pub async fn next(&mut self) -> Result<Option<LiveEvent>, SyncError> {
        loop {
            if let Some(event) = self.ready.pop_front() {
                return Ok(Some(event));
            }
            match self.response.chunk().await {
                Ok(Some(bytes)) => self.ready.extend(self.parser.feed(&bytes)),
                Ok(None) => return Ok(None),
                Err(e) => return Err(SyncError::Offline(e.to_string())),
            }
        }
    }
}

impl ServerClient {
    /// Opens the live push, replaying the changes after `after` first when given. No request
    /// timeout: the stream stays open until either side ends it.
    pub async fn live(&self, after: Option<u64>) -> Result<LiveStream, SyncError> {
        let mut request = self
            .request(Method::GET, &self.url(&format!("{DESK}/live")))
            .header(header::ACCEPT, "text/event-stream")
            // A stream has no overall deadline; a dead one is noticed by the engine.
            .timeout(std::time::Duration::from_secs(60 * 60 * 24 * 365));
        if let Some(after) = after {
            request = request.query(&[("after", after.to_string())]);
        }
        let response = request
            .send()
            .await
            .map_err(|e| SyncError::Offline(e.to_string()))?;
        let status = response.status().as_u16();
        if status >= 400 {
            let body = response.bytes().await.unwrap_or_default();
            return Err(SyncError::Server {
                status,
                error: Box::new(crate::local::TmfError::from_body(status, &body)),
                retry_after: None,
            });
        }
        Ok(LiveStream {
            response,
            parser: SseParser::new(),
            ready: Default::default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn ev(id: Option<&str>, event: &str, data: &str) -> LiveEvent {
        LiveEvent {
            id: id.map(str::to_owned),
            event: event.to_owned(),
            data: data.to_owned(),
        }
    }

    #[rstest]
    #[case::one("id: 7\nevent: change\ndata: {\"a\":1}\n\n", vec![ev(Some("7"), "change", "{\"a\":1}")])]
    #[case::crlf("id: 7\r\nevent: change\r\ndata: x\r\n\r\n", vec![ev(Some("7"), "change", "x")])]
    #[case::comment_only(": keep-alive\n\n", vec![])]
    #[case::no_event_name("data: x\n\n", vec![ev(None, "message", "x")])]
    #[case::multi_line_data("data: a\ndata: b\n\n", vec![ev(None, "message", "a\nb")])]
    #[case::no_space("data:x\n\n", vec![ev(None, "message", "x")])]
    #[case::unfinished("data: x\n", vec![])]
    #[case::id_carries_over("id: 1\ndata: a\n\ndata: b\n\n", vec![ev(Some("1"), "message", "a"), ev(Some("1"), "message", "b")])]
    #[case::unknown_field("retry: 10\nfoo: bar\ndata: a\n\n", vec![ev(None, "message", "a")])]
    #[case::no_data_no_event("event: change\n\n", vec![])]
    fn events_are_read(#[case] input: &str, #[case] expected: Vec<LiveEvent>) {
        assert_eq!(SseParser::new().feed(input.as_bytes()), expected);
    }

    /// Whatever the chunk boundaries, the same events come out.
    #[test]
    fn chunks_split_anywhere() {
        let input =
            ": hello\nid: 3\nevent: change\ndata: {\"seq\":3}\n\nid: 4\nevent: change\ndata: é\n\n";
        let whole = SseParser::new().feed(input.as_bytes());
        assert_eq!(whole.len(), 2);
        for size in 1..input.len() {
            let mut parser = SseParser::new();
            let mut got = Vec::new();
            for chunk in input.as_bytes().chunks(size) {
                got.extend(parser.feed(chunk));
            }
            assert_eq!(got, whole, "chunks of {size}");
        }
    }

    #[test]
    fn a_change_event_carries_a_feed_row() {
        let e = ev(
            Some("9"),
            "change",
            r#"{"seq":9,"at":"2026-11-26T10:00:00Z","entity":"productOrder","entityId":"O-1","kind":"update","version":3,"payload":{}}"#,
        );
        let change = e.change().unwrap();
        assert_eq!((change.seq, change.version), (9, Some(3)));
        assert_eq!(ev(None, "message", "{}").change(), None);
    }
}
