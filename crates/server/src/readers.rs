//! [`Readers`]: a few threads of the server's own that run store reads for request handlers.
//!
//! A GET by id is a ~20 µs SQLite lookup. Handing each one to tokio's blocking pool
//! (`spawn_blocking`) cost more than the lookup under load: 32 concurrent requests contend on the
//! pool's one lock and wake a thread each, which then queue for the store's few reader
//! connections anyway. Here a fixed set of threads, as many as the store has reader connections,
//! takes jobs from one lock-free queue and answers through a oneshot channel.
//!
//! Only reads go here: a write waits for the group commit, and would hold a reader thread for
//! that long. Creates and order changes go to the store's committer
//! ([`crate::AppState::create_order`], [`crate::AppState::commit_change`]); other writes run on
//! [`crate::AppState::db`].
//!
//! [`Readers::background`] starts the same kind of pool for background reads that may take long
//! (validation reads the customer's, the address's and the payment method's order history), so
//! that they never queue in front of a request's read. Its threads run at normal priority: at
//! the lowest one (tried, niceness 19), a busy machine starved a background read in the middle
//! of its read transaction for seconds, the WAL could not be restarted behind it and grew past
//! 200 MB, and the checkpoint that followed stalled every commit for ~3.7 s.

use std::sync::Arc;

use orderdesk_store::CentralStore;
use tokio::sync::oneshot;

use crate::error::ApiError;

type Job = Box<dyn FnOnce(&CentralStore) + Send>;

/// The reader threads; they stop when the last handle is dropped.
#[derive(Debug, Clone)]
pub struct Readers {
    jobs: crossbeam_channel::Sender<Job>,
}

impl Readers {
    /// Starts `threads` (at least one) reader threads over `store`.
    pub fn start(store: &Arc<CentralStore>, threads: usize) -> std::io::Result<Self> {
        Self::spawn(store, threads, "store-reader")
    }

    /// Starts `threads` (at least one) reader threads for background work.
    pub fn background(store: &Arc<CentralStore>, threads: usize) -> std::io::Result<Self> {
        Self::spawn(store, threads, "background-reader")
    }

    fn spawn(store: &Arc<CentralStore>, threads: usize, name: &str) -> std::io::Result<Self> {
        let (jobs, queue) = crossbeam_channel::unbounded::<Job>();
        for n in 0..threads.max(1) {
            let queue = queue.clone();
            let store = Arc::clone(store);
            std::thread::Builder::new()
                .name(format!("{name}-{n}"))
                .spawn(move || {
                    // Ends when every sender is gone (the server stopped).
                    for job in queue {
                        job(&store);
                    }
                })?;
        }
        Ok(Self { jobs })
    }

    /// Runs `f` on a reader thread and waits for its answer.
    pub async fn run<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&CentralStore) -> Result<T, ApiError> + Send + 'static,
    {
        let (answer, answered) = oneshot::channel();
        let job: Job = Box::new(move |store| {
            // Catch a panic so that it becomes this request's 500, not a dead reader thread.
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(store)))
                .unwrap_or_else(|_| Err(ApiError::internal("a store read panicked")));
            // The request may have gone away meanwhile: nobody to answer.
            let _ = answer.send(result);
        });
        self.jobs
            .send(job)
            .map_err(|_| ApiError::internal("the store's reader threads have stopped"))?;
        answered
            .await
            .map_err(|_| ApiError::internal("a store reader dropped the request"))?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn reads_run_on_the_reader_threads_and_failures_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(CentralStore::open(dir.path()).unwrap());
        let readers = Readers::start(&store, 2).unwrap();
        let name = readers
            .run(|_| Ok(std::thread::current().name().map(str::to_owned)))
            .await
            .unwrap();
        assert!(name.unwrap().starts_with("store-reader-"));

        let many: Vec<_> = (0..50)
            .map(|_| {
                let readers = readers.clone();
                tokio::spawn(async move { readers.run(|store| Ok(store.order_count()?)).await })
            })
            .collect();
        for n in many {
            assert_eq!(n.await.unwrap().unwrap(), 0);
        }

        let missing = readers
            .run(|store| Ok(store.get_order(&"nope".into())?))
            .await;
        assert!(matches!(missing, Err(ApiError::NotFound { .. })));

        let panicked = readers
            .run(|_| -> Result<(), ApiError> { panic!("boom") })
            .await;
        assert!(matches!(panicked, Err(ApiError::Internal { .. })));
        // The threads survived it.
        assert!(readers.run(|_| Ok(1)).await.is_ok());
    }
}
