//! Group commit for the hot writes: order creates, updates and prepared changes (an order's
//! versions with its queue entry: validation's verdicts, desk actions).
//!
//! With many concurrent clients, the cost of a write is mostly its commit (appending the pages it
//! dirtied to the WAL), not its statements. So a create or update does not take the writer for
//! itself: it queues its (already encoded) job for the committer thread and waits for its
//! result. The committer runs every job queued while it ran the last batch as the next batch, in
//! one `IMMEDIATE` transaction with one commit. Jobs almost never fail, so a batch first runs them
//! one after the other without savepoints (a savepoint per job copies every page the job touches
//! to a sub-journal first: about a tenth of a create's CPU); if one fails, that transaction is
//! rolled back and the batch runs again with each job inside its own savepoint, so the failing
//! job is rolled back alone and gets its own error. Results are handed out only after the
//! commit, so "returned Ok" still means "durable"; a failed commit fails every job in the batch
//! with [`StoreError::NotCommitted`]. Alone, a job is simply a one-write transaction.

use std::fmt;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;

use rusqlite::{Connection, DropBehavior, TransactionBehavior};

use super::order_change::PreparedChange;
use super::orders::{self, CreateOutcome, EncodedCreate, EncodedUpdate, StoredOrder};
use super::CentralStore;
use crate::connection::lock;
use crate::error::{Result, StoreError};

pub(crate) enum Job {
    Create(EncodedCreate),
    Update(EncodedUpdate),
    Change(PreparedChange),
}

pub(crate) enum Done {
    Created(Result<CreateOutcome>),
    Updated(Result<StoredOrder>),
    Changed(Result<Option<StoredOrder>>),
}

/// Where a job's result is handed to the thread that submitted it.
#[derive(Default)]
struct Slot {
    done: Mutex<Option<Done>>,
    filled: Condvar,
}

impl Slot {
    fn fill(&self, done: Done) {
        *lock_any(&self.done) = Some(done);
        self.filled.notify_one();
    }

    fn wait(&self) -> Done {
        let mut done = lock_any(&self.done);
        loop {
            if let Some(done) = done.take() {
                return done;
            }
            done = self
                .filled
                .wait(done)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }
}

/// Who gets a job's result: a thread waiting on its slot, or a callback (run on the committer
/// thread, so it must be short: hand the result over and return).
enum Reply {
    Slot(Arc<Slot>),
    Then(Box<dyn FnOnce(Done) + Send>),
}

impl Reply {
    fn send(self, done: Done) {
        match self {
            Self::Slot(slot) => slot.fill(done),
            Self::Then(then) => then(done),
        }
    }
}

#[derive(Default)]
struct Queue {
    jobs: Vec<(Job, Reply)>,
    stopped: bool,
}

/// Jobs waiting for the committer thread.
#[derive(Default)]
struct Pending {
    queue: Mutex<Queue>,
    ready: Condvar,
}

fn lock_any<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The thread that runs the queued jobs: it takes every job queued while it ran the last batch
/// and runs them as the next one. One thread, so batches follow each other without a hand-over
/// between the submitting threads (which, each woken in turn to find its result, held the next
/// batch back on a busy machine). Stopped, with the jobs still queued run first, when dropped.
pub(crate) struct Committer {
    pending: Arc<Pending>,
    thread: Option<JoinHandle<()>>,
}

impl fmt::Debug for Committer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Committer")
            .field("queued", &lock_any(&self.pending.queue).jobs.len())
            .finish()
    }
}

impl Committer {
    pub(crate) fn start(writer: Arc<Mutex<Connection>>) -> std::io::Result<Self> {
        let pending = Arc::new(Pending::default());
        let queue = Arc::clone(&pending);
        let thread = std::thread::Builder::new()
            .name("orderdesk-commit".to_owned())
            .spawn(move || commit_until_stopped(&writer, &queue))?;
        Ok(Self {
            pending,
            thread: Some(thread),
        })
    }

    /// Queues `job` and waits for its result.
    fn submit(&self, job: Job) -> Done {
        let slot = Arc::new(Slot::default());
        self.queue(job, Reply::Slot(Arc::clone(&slot)));
        slot.wait()
    }

    /// Queues `job`; `then` gets its result on the committer thread.
    fn submit_then(&self, job: Job, then: impl FnOnce(Done) + Send + 'static) {
        self.queue(job, Reply::Then(Box::new(then)));
    }

    fn queue(&self, job: Job, reply: Reply) {
        {
            let mut queue = lock_any(&self.pending.queue);
            if !queue.stopped {
                queue.jobs.push((job, reply));
                drop(queue);
                self.pending.ready.notify_one();
                return;
            }
        }
        let done = job.failed("the store is closing");
        reply.send(done);
    }
}

impl Drop for Committer {
    fn drop(&mut self) {
        lock_any(&self.pending.queue).stopped = true;
        self.pending.ready.notify_one();
        if let Some(thread) = self.thread.take() {
            // A callback holding the last handle to the store drops it on the committer thread
            // itself: that thread then ends by itself once its batch is answered.
            if thread.thread().id() != std::thread::current().id() {
                // A panic in the thread has already failed its batch (see commit_until_stopped).
                let _ = thread.join();
            }
        }
    }
}

fn commit_until_stopped(writer: &Mutex<Connection>, pending: &Pending) {
    loop {
        let batch = {
            let mut queue = lock_any(&pending.queue);
            while queue.jobs.is_empty() && !queue.stopped {
                queue = pending
                    .ready
                    .wait(queue)
                    .unwrap_or_else(PoisonError::into_inner);
            }
            if queue.jobs.is_empty() {
                return;
            }
            std::mem::take(&mut queue.jobs)
        };
        let (jobs, replies): (Vec<Job>, Vec<Reply>) = batch.into_iter().unzip();
        let results = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let mut conn = lock(writer);
            run_batch(&mut conn, &jobs)
        }));
        match results {
            Ok(results) => {
                for (reply, done) in replies.into_iter().zip(results) {
                    reply.send(done);
                }
            }
            // The transaction was rolled back when the panic dropped it.
            Err(_) => {
                for (reply, job) in replies.into_iter().zip(&jobs) {
                    reply.send(job.failed("the writer panicked"));
                }
            }
        }
    }
}

impl Job {
    fn run(&self, conn: &Connection) -> Done {
        match self {
            Self::Create(c) => Done::Created(orders::create(conn, c)),
            Self::Update(u) => Done::Updated(orders::update(conn, u)),
            Self::Change(c) => Done::Changed(c.write(conn)),
        }
    }

    fn failed(&self, why: &str) -> Done {
        let e = || StoreError::NotCommitted(why.to_owned());
        match self {
            Self::Create(_) => Done::Created(Err(e())),
            Self::Update(_) => Done::Updated(Err(e())),
            Self::Change(_) => Done::Changed(Err(e())),
        }
    }
}

impl Done {
    fn is_ok(&self) -> bool {
        match self {
            Self::Created(r) => r.is_ok(),
            Self::Updated(r) => r.is_ok(),
            Self::Changed(r) => r.is_ok(),
        }
    }

    /// A committed job's result; an error result is kept as it is (its savepoint was rolled
    /// back, so the commit does not change it).
    fn or_not_committed(self, job: &Job, why: &str) -> Done {
        if self.is_ok() {
            job.failed(why)
        } else {
            self
        }
    }
}

/// Runs `batch` in one transaction, and every job's result in order: first without savepoints,
/// and again with one savepoint per job if a job of several failed.
fn run_batch(conn: &mut Connection, batch: &[Job]) -> Vec<Done> {
    match run_plain(conn, batch) {
        Plain::Done(results) => results,
        Plain::JobFailed => run_with_savepoints(conn, batch),
    }
}

enum Plain {
    /// Every job's result (all ok and committed, or each failed with why the commit did not
    /// happen), or the one job's error.
    Done(Vec<Done>),
    /// A job of several failed; the transaction was rolled back.
    JobFailed,
}

/// Runs every job in one transaction without savepoints.
fn run_plain(conn: &mut Connection, batch: &[Job]) -> Plain {
    let failed_all = |why: &str| Plain::Done(batch.iter().map(|job| job.failed(why)).collect());
    let tx = match conn.transaction_with_behavior(TransactionBehavior::Immediate) {
        Ok(tx) => tx,
        Err(e) => return failed_all(&e.to_string()),
    };
    let mut results: Vec<Done> = Vec::with_capacity(batch.len());
    for job in batch {
        let done = job.run(&tx);
        if !done.is_ok() {
            // Dropping the transaction rolls it back.
            drop(tx);
            return if batch.len() == 1 {
                Plain::Done(vec![done])
            } else {
                Plain::JobFailed
            };
        }
        results.push(done);
    }
    match tx.commit() {
        Ok(()) => Plain::Done(results),
        Err(e) => failed_all(&e.to_string()),
    }
}

/// Runs `batch` in one transaction, one savepoint per job.
fn run_with_savepoints(conn: &mut Connection, batch: &[Job]) -> Vec<Done> {
    let mut tx = match conn.transaction_with_behavior(TransactionBehavior::Immediate) {
        Ok(tx) => tx,
        Err(e) => return batch.iter().map(|job| job.failed(&e.to_string())).collect(),
    };
    let mut results: Vec<Done> = Vec::with_capacity(batch.len());
    let mut broken: Option<String> = None;
    for job in batch {
        let done = match tx.savepoint() {
            Ok(mut sp) => {
                let done = job.run(&sp);
                let ended = if done.is_ok() {
                    sp.commit()
                } else {
                    sp.set_drop_behavior(DropBehavior::Rollback);
                    sp.finish()
                };
                if let Err(e) = ended {
                    broken = Some(e.to_string());
                }
                done
            }
            Err(e) => {
                broken = Some(e.to_string());
                job.failed(&e.to_string())
            }
        };
        results.push(done);
        if broken.is_some() {
            break;
        }
    }
    let outcome = match broken {
        // A savepoint that could not be closed leaves the transaction in doubt: drop it all.
        Some(why) => Err(why),
        None => tx.commit().map_err(|e| e.to_string()),
    };
    let mut results = results.into_iter();
    batch
        .iter()
        .map(|job| match (&outcome, results.next()) {
            (Ok(()), Some(done)) => done,
            (Err(why), Some(done)) => done.or_not_committed(job, why),
            (Err(why), None) => job.failed(why),
            (Ok(()), None) => job.failed("the batch ended early"),
        })
        .collect()
}

impl CentralStore {
    pub(crate) fn submit_create(&self, job: EncodedCreate) -> Result<CreateOutcome> {
        match self.committer.submit(Job::Create(job)) {
            Done::Created(r) => r,
            _ => Err(StoreError::NotCommitted("the writer failed".to_owned())),
        }
    }

    pub(crate) fn submit_update(&self, job: EncodedUpdate) -> Result<StoredOrder> {
        match self.committer.submit(Job::Update(job)) {
            Done::Updated(r) => r,
            _ => Err(StoreError::NotCommitted("the writer failed".to_owned())),
        }
    }

    pub(crate) fn submit_change(&self, job: PreparedChange) -> Result<Option<StoredOrder>> {
        match self.committer.submit(Job::Change(job)) {
            Done::Changed(r) => r,
            _ => Err(StoreError::NotCommitted("the writer failed".to_owned())),
        }
    }

    /// [`Self::submit_create`] without waiting: `then` gets the result on the committer thread.
    pub(crate) fn submit_create_then(
        &self,
        job: EncodedCreate,
        then: impl FnOnce(Result<CreateOutcome>) + Send + 'static,
    ) {
        self.committer
            .submit_then(Job::Create(job), move |done| match done {
                Done::Created(r) => then(r),
                _ => then(Err(StoreError::NotCommitted(
                    "the writer failed".to_owned(),
                ))),
            });
    }

    /// [`Self::submit_change`] without waiting: `then` gets the result on the committer thread.
    pub(crate) fn submit_change_then(
        &self,
        job: PreparedChange,
        then: impl FnOnce(Result<Option<StoredOrder>>) + Send + 'static,
    ) {
        self.committer
            .submit_then(Job::Change(job), move |done| match done {
                Done::Changed(r) => then(r),
                _ => then(Err(StoreError::NotCommitted(
                    "the writer failed".to_owned(),
                ))),
            });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::central::{NewOrder, OrderUpdate};
    use chrono::{TimeZone, Utc};
    use orderdesk_domain::desk::versions::record;
    use orderdesk_domain::lifecycle::OrderCommand;
    use orderdesk_domain::UserId;
    use orderdesk_domain::{CustomerId, ItemAction, OfferingId, OrderId, OrderItem, ProductOrder};

    fn order(id: &str) -> ProductOrder {
        let item = OrderItem::new("1", ItemAction::Add, Some(OfferingId::new("PO-FIBRE")));
        let at = Utc.with_ymd_and_hms(2026, 11, 27, 9, 0, 0).unwrap();
        ProductOrder::new(
            OrderId::new(id),
            CustomerId::new("C-1"),
            at,
            vec![item],
            false,
        )
        .unwrap()
    }

    /// `o` as captured by `by` at its order date.
    fn new_order<'a>(o: &'a ProductOrder, by: &'a UserId) -> NewOrder<'a> {
        NewOrder {
            order: o,
            extensions: None,
            idempotency_key: None,
            by,
            at: o.order_date,
            reason: "captured",
            events: &[],
        }
    }

    fn create_job(o: &ProductOrder, by: &UserId) -> Job {
        Job::Create(EncodedCreate::encode(&new_order(o, by)).unwrap())
    }

    /// An update of `current` to its next version: runs once, then fails as stale.
    fn update_job(current: &ProductOrder, by: &UserId) -> Job {
        let command = OrderCommand::Hold {
            reason: "credit".into(),
        };
        let (next, version) = record(current, &command, current.order_date, by, "desk").unwrap();
        Job::Update(
            EncodedUpdate::encode(&OrderUpdate {
                order: &next,
                expected_version: current.version,
                version: &version,
                extensions: None,
                events: &[],
            })
            .unwrap(),
        )
    }

    fn run(store: &CentralStore, jobs: Vec<Job>) -> Vec<Done> {
        run_batch(&mut lock(&store.writer), &jobs)
    }

    fn ok(done: &Done) -> bool {
        done.is_ok()
    }

    #[test]
    fn a_failing_job_is_rolled_back_alone_and_the_others_commit() {
        let dir = tempfile::tempdir().unwrap();
        let store = CentralStore::open(dir.path()).unwrap();
        let by = UserId::new("U-1");
        let first = order("O-1");
        let stale = update_job(&first, &by);
        // All good: one plain transaction.
        let done = run(
            &store,
            vec![create_job(&first, &by), update_job(&first, &by)],
        );
        assert!(done.iter().all(ok));
        assert_eq!(
            store.get_order(&OrderId::new("O-1")).unwrap().order.version,
            2
        );

        // A stale update among creates: the creates are committed, the update fails alone.
        let done = run(
            &store,
            vec![
                create_job(&order("O-2"), &by),
                stale,
                create_job(&order("O-3"), &by),
            ],
        );
        assert!(ok(&done[0]) && ok(&done[2]));
        assert!(
            matches!(
                &done[1],
                Done::Updated(Err(StoreError::VersionConflict { .. }))
            ),
            "the stale update must fail with its own error"
        );
        for id in ["O-2", "O-3"] {
            assert!(store.get_order(&OrderId::new(id)).is_ok(), "{id}");
        }
        assert_eq!(
            store.get_order(&OrderId::new("O-1")).unwrap().order.version,
            2
        );

        // A stale prepared change among creates fails alone too.
        let (next, version) = record(
            &first,
            &OrderCommand::Hold {
                reason: "credit".into(),
            },
            first.order_date,
            &by,
            "desk",
        )
        .unwrap();
        let stale_change = PreparedChange::prepare(
            &[OrderUpdate {
                order: &next,
                expected_version: first.version,
                version: &version,
                extensions: None,
                events: &[],
            }],
            crate::central::QueueSync::Keep,
            first.order_date,
        )
        .unwrap();
        let done = run(
            &store,
            vec![Job::Change(stale_change), create_job(&order("O-4"), &by)],
        );
        assert!(matches!(
            &done[0],
            Done::Changed(Err(StoreError::VersionConflict { current: 2 }))
        ));
        assert!(ok(&done[1]));

        // Alone, a failing job fails and writes nothing.
        let done = run(&store, vec![update_job(&first, &by)]);
        assert!(matches!(
            &done[0],
            Done::Updated(Err(StoreError::VersionConflict { .. }))
        ));
        assert_eq!(
            store.get_order(&OrderId::new("O-1")).unwrap().order.version,
            2
        );
        assert_eq!(store.order_count().unwrap(), 4);
    }

    #[test]
    fn concurrent_submitters_each_get_their_own_committed_result() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(CentralStore::open(dir.path()).unwrap());
        let by = UserId::new("U-1");
        let threads: Vec<_> = (0..8)
            .map(|t| {
                let store = Arc::clone(&store);
                let by = by.clone();
                std::thread::spawn(move || {
                    for n in 0..40 {
                        let o = order(&format!("O-{t}-{n}"));
                        let Job::Create(job) = create_job(&o, &by) else {
                            unreachable!()
                        };
                        let created = store.submit_create(job).unwrap();
                        assert!(created.is_created());
                        assert_eq!(created.order().order.id, o.id);
                        // Read back at once: an answered create is committed.
                        assert_eq!(store.get_order(&o.id).unwrap().order.id, o.id);
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(store.order_count().unwrap(), 320);
    }

    #[test]
    fn a_callback_gets_its_result_after_the_commit() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(CentralStore::open(dir.path()).unwrap());
        let by = UserId::new("U-1");
        let (tx, rx) = std::sync::mpsc::channel();
        for n in 0..20 {
            let o = order(&format!("O-{n}"));
            let tx = tx.clone();
            let reader = Arc::clone(&store);
            store
                .create_order_then(&new_order(&o, &by), move |result| {
                    // Committed by the time the callback runs: readers see it.
                    let id = result.unwrap().into_order().order.id;
                    let seen = reader.get_order(&id).is_ok();
                    tx.send((id, seen)).unwrap();
                })
                .unwrap();
        }
        let mut answered: Vec<(OrderId, bool)> = (0..20).map(|_| rx.recv().unwrap()).collect();
        answered.sort();
        assert!(answered.iter().all(|(_, seen)| *seen));
        assert_eq!(store.order_count().unwrap(), 20);
    }

    #[test]
    fn a_callback_may_hold_the_last_handle_to_the_store() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(CentralStore::open(dir.path()).unwrap());
        let o = order("O-1");
        let by = UserId::new("U-1");
        let (tx, rx) = std::sync::mpsc::channel();
        let (go, wait) = std::sync::mpsc::channel::<()>();
        let last = Arc::clone(&store);
        store
            .create_order_then(&new_order(&o, &by), move |result| {
                // Wait until the caller dropped its handle: this one is the last.
                wait.recv().unwrap();
                let created = result.is_ok();
                drop(last);
                tx.send(created).unwrap();
            })
            .unwrap();
        drop(store);
        go.send(()).unwrap();
        assert!(rx.recv().unwrap());
        // The store was closed on the committer thread; it opens again with the order.
        let store = CentralStore::open(dir.path()).unwrap();
        assert_eq!(store.order_count().unwrap(), 1);
    }
}
