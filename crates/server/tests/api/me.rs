//! `GET /orderdesk/v1/me`: the user and role behind a token, for the desk's sign-in.

use reqwest::{Method, StatusCode};

use crate::support::{Answer, TestServer, AGENT, INTEGRATION, SUPERVISOR};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn me_names_the_tokens_user_and_role() {
    let t = TestServer::start_quiet().await;
    for (token, id, role) in [
        (AGENT, "U-AGENT-1", "agent"),
        (SUPERVISOR, "U-SUPERVISOR-1", "supervisor"),
        (INTEGRATION, "U-INTEGRATION-WEB", "integration"),
    ] {
        let a = t.get("/orderdesk/v1/me", token).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        assert_eq!(a.body["id"], id);
        assert_eq!(a.body["role"], role);
        assert!(
            a.body["name"].as_str().is_some_and(|n| !n.is_empty()),
            "{}",
            a.body
        );
        assert_eq!(a.body.as_object().unwrap().len(), 3, "{}", a.body);
    }
    let unknown = t.get("/orderdesk/v1/me", "no-such-token").await;
    unknown.assert_error(401);
    let none = Answer::of(
        t.request(Method::GET, "/orderdesk/v1/me", None)
            .send()
            .await
            .unwrap(),
    )
    .await;
    none.assert_error(401);
}
