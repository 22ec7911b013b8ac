//! Hub subscriptions and the notifications delivered to a real listener (a tiny axum app on
//! 127.0.0.1:0): v4 and v5 envelopes valid against their schemas, retries after the listener
//! first answers 500, `query` filtering, unsubscribing.

use axum::extract::{Path, State};
use axum::http::StatusCode as AxumStatus;
use axum::routing::post;
use axum::{Json, Router};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::support::{
    assert_valid, v4_schema, v5_body, v5_schema, TestServer, AGENT, INTEGRATION, V4, V5,
};

#[derive(Clone, Default)]
struct Listener {
    received: Arc<Mutex<Vec<(String, String, Value)>>>,
    failures_left: Arc<AtomicUsize>,
    failed: Arc<AtomicUsize>,
}

async fn listen(
    State(l): State<Listener>,
    Path((client, event)): Path<(String, String)>,
    Json(body): Json<Value>,
) -> AxumStatus {
    let fail = l
        .failures_left
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok();
    if fail {
        l.failed.fetch_add(1, Ordering::SeqCst);
        return AxumStatus::INTERNAL_SERVER_ERROR;
    }
    l.received.lock().unwrap().push((client, event, body));
    AxumStatus::CREATED
}

impl Listener {
    async fn start(fail_first: usize) -> (Self, String) {
        let l = Self::default();
        l.failures_left.store(fail_first, Ordering::SeqCst);
        let app = Router::new()
            .route("/{client}/listener/{event}", post(listen))
            .with_state(l.clone());
        let tcp = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", tcp.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(tcp, app).await });
        (l, url)
    }

    fn events(&self, client: &str) -> Vec<(String, Value)> {
        self.received
            .lock()
            .unwrap()
            .iter()
            .filter(|(c, _, _)| c == client)
            .map(|(_, e, b)| (e.clone(), b.clone()))
            .collect()
    }

    /// Waits (at most 20 s) until `client` received an event `event` about order `id`.
    async fn wait_for(&self, client: &str, event: &str, id: &str) -> Value {
        self.wait_for_state(client, event, id, None).await
    }

    /// [`Self::wait_for`] an event whose order is in `state`, when given.
    async fn wait_for_state(
        &self,
        client: &str,
        event: &str,
        id: &str,
        state: Option<&str>,
    ) -> Value {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            let found = self.events(client).into_iter().find(|(e, b)| {
                e == event
                    && b["event"]["productOrder"]["id"] == id
                    && state.is_none_or(|s| b["event"]["productOrder"]["state"] == s)
            });
            if let Some((_, body)) = found {
                return body;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{client} never received {event} for {id}; got {:?}",
                self.events(client)
                    .iter()
                    .map(|(e, _)| e)
                    .collect::<Vec<_>>()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notifications_reach_listeners_and_are_retried() {
    let t = TestServer::start().await;
    let (listener, url) = Listener::start(2).await;

    let v5 = t
        .post(
            &format!("{V5}/hub"),
            INTEGRATION,
            &json!({"callback": format!("{url}/five"), "@type": "Hub"}),
        )
        .await;
    assert_eq!(v5.status, StatusCode::CREATED, "{}", v5.body);
    assert_valid(v5_schema("Hub"), &v5.body, "v5 hub");
    assert_eq!(v5.body["callback"], format!("{url}/five"));
    let v4 = t
        .post(
            &format!("{V4}/hub"),
            INTEGRATION,
            &json!({"callback": format!("{url}/four"), "query": "eventType=ProductOrderStateChangeEvent"}),
        )
        .await;
    assert_eq!(v4.status, StatusCode::CREATED, "{}", v4.body);
    assert_valid(v4_schema("EventSubscription"), &v4.body, "v4 hub");
    assert_eq!(v4.body["query"], "eventType=ProductOrderStateChangeEvent");

    let id = t
        .create(V5, AGENT, &v5_body("QT-GPON-HAPPY", None))
        .await
        .id();
    let created = listener
        .wait_for("five", "productOrderCreateEvent", &id)
        .await;
    assert_eq!(created["eventType"], "ProductOrderCreateEvent");
    assert_valid(
        v5_schema("ProductOrderCreateEvent"),
        &created,
        "v5 create event",
    );
    let changed = listener
        .wait_for_state(
            "five",
            "productOrderStateChangeEvent",
            &id,
            Some("inProgress.accepted"),
        )
        .await;
    assert_valid(
        v5_schema("ProductOrderStateChangeEvent"),
        &changed,
        "v5 state change event",
    );
    assert_eq!(
        changed["event"]["productOrder"]["state"],
        "inProgress.accepted"
    );

    let v4_changed = listener
        .wait_for("four", "productOrderStateChangeEvent", &id)
        .await;
    assert_valid(
        v4_schema("ProductOrderStateChangeEvent"),
        &v4_changed,
        "v4 state change event",
    );
    assert_eq!(v4_changed["event"]["productOrder"]["state"], "inProgress");
    assert!(
        listener
            .events("four")
            .iter()
            .all(|(e, _)| e == "productOrderStateChangeEvent"),
        "the v4 subscription asked for state changes only"
    );
    assert_eq!(
        listener.failed.load(Ordering::SeqCst),
        2,
        "the first two attempts failed"
    );

    // A rejected order: v5 also hears the error messages.
    let declined = t
        .create(V5, AGENT, &v5_body("QT-CREDIT-DECLINE", None))
        .await
        .id();
    let error = listener
        .wait_for("five", "productOrderErrorMessageEvent", &declined)
        .await;
    assert_valid(
        v5_schema("ProductOrderErrorMessageEvent"),
        &error,
        "v5 error message event",
    );

    // Unsubscribed: nothing more is owed to either.
    for (base, hub) in [(V5, v5.id()), (V4, v4.id())] {
        let a = t
            .send(
                Method::DELETE,
                &format!("{base}/hub/{hub}"),
                INTEGRATION,
                None,
            )
            .await;
        assert_eq!(a.status, StatusCode::NO_CONTENT);
        t.send(
            Method::DELETE,
            &format!("{base}/hub/{hub}"),
            INTEGRATION,
            None,
        )
        .await
        .assert_error(404);
    }
    t.create(V5, AGENT, &v5_body("QT-MOBILE-SIMO", None)).await;
    let store = std::sync::Arc::clone(&t.server.as_ref().unwrap().state().store);
    let owed = tokio::task::spawn_blocking(move || store.pending_delivery_count().unwrap())
        .await
        .unwrap();
    assert_eq!(owed, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_notifications_are_delivered() {
    let t = TestServer::start().await;
    let (listener, url) = Listener::start(0).await;
    t.post(
        &format!("{V4}/hub"),
        INTEGRATION,
        &json!({"callback": format!("{url}/crm")}),
    )
    .await;
    let id = t
        .create(V4, AGENT, &crate::support::v4_body("QT-GPON-HAPPY", None))
        .await
        .id();
    t.wait_validated(V4, &id).await;
    let a = t
        .post(
            &format!("{V4}/cancelProductOrder"),
            AGENT,
            &json!({"productOrder": {"id": id}}),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let events = listener.events("crm");
        let cancel = events.iter().find(|(e, b)| {
            e == "cancelProductOrderCreateEvent"
                && b["event"]["cancelProductOrder"]["productOrder"]["id"] == id.as_str()
        });
        if let Some((_, body)) = cancel {
            assert_valid(
                v4_schema("CancelProductOrderCreateEvent"),
                body,
                "v4 cancel create event",
            );
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no cancel event: {events:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    listener
        .wait_for("crm", "productOrderStateChangeEvent", &id)
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hubs_need_the_right_and_a_real_callback() {
    let t = TestServer::start().await;
    t.post(
        &format!("{V5}/hub"),
        AGENT,
        &json!({"callback": "http://127.0.0.1:9/x"}),
    )
    .await
    .assert_error(403);
    for callback in [json!("not a url"), json!("ftp://x/y"), json!(42)] {
        t.post(
            &format!("{V5}/hub"),
            INTEGRATION,
            &json!({"callback": callback}),
        )
        .await
        .assert_error(400);
    }
    t.post(&format!("{V4}/hub"), INTEGRATION, &json!({"query": "x"}))
        .await
        .assert_error(400);
}
