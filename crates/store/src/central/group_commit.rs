//! Group commit for the hot writes: order creates and updates.
//!
//! With many concurrent clients, the cost of a write is mostly its commit (appending to the WAL
//! and, every so often, a checkpoint), not its statements. So a create or update does not take
//! the writer for itself: it queues its (already encoded) job and then takes the writer; whoever
//! gets the writer first runs every queued job in one `IMMEDIATE` transaction, each job inside
//! its own savepoint (a job that fails is rolled back alone and gets its own error), commits
//! once, and hands each job its result. A thread whose job was run by another finds its result
//! waiting when it gets the writer, and returns at once. Results are handed out only after the
//! commit, so "returned Ok" still means "durable"; a failed commit fails every job in the batch
//! with [`StoreError::NotCommitted`]. Alone, a job is simply a one-write transaction.

use std::fmt;
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, DropBehavior, TransactionBehavior};

use super::orders::{self, CreateOutcome, EncodedCreate, EncodedUpdate, StoredOrder};
use super::CentralStore;
use crate::connection::lock;
use crate::error::{Result, StoreError};

pub(crate) enum Job {
    Create(EncodedCreate),
    Update(EncodedUpdate),
}

pub(crate) enum Done {
    Created(Result<CreateOutcome>),
    Updated(Result<StoredOrder>),
}

type Slot = Arc<Mutex<Option<Done>>>;

/// Jobs waiting for the writer.
#[derive(Default)]
pub(crate) struct Pending {
    jobs: Mutex<Vec<(Job, Slot)>>,
}

impl fmt::Debug for Pending {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pending")
            .field("jobs", &lock_jobs(&self.jobs).len())
            .finish()
    }
}

fn lock_jobs<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Job {
    fn run(&self, conn: &Connection) -> Done {
        match self {
            Self::Create(c) => Done::Created(orders::create(conn, c)),
            Self::Update(u) => Done::Updated(orders::update(conn, u)),
        }
    }

    fn failed(&self, why: &str) -> Done {
        let e = || StoreError::NotCommitted(why.to_owned());
        match self {
            Self::Create(_) => Done::Created(Err(e())),
            Self::Update(_) => Done::Updated(Err(e())),
        }
    }
}

impl Done {
    fn is_ok(&self) -> bool {
        match self {
            Self::Created(r) => r.is_ok(),
            Self::Updated(r) => r.is_ok(),
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

/// Runs `batch` in one transaction, one savepoint per job, and fills every slot.
fn run_batch(conn: &mut Connection, batch: Vec<(Job, Slot)>) {
    let fill = |slot: &Slot, done: Done| *lock_jobs(slot) = Some(done);
    let mut tx = match conn.transaction_with_behavior(TransactionBehavior::Immediate) {
        Ok(tx) => tx,
        Err(e) => {
            for (job, slot) in &batch {
                fill(slot, job.failed(&e.to_string()));
            }
            return;
        }
    };
    let mut results: Vec<Done> = Vec::with_capacity(batch.len());
    let mut broken: Option<String> = None;
    for (job, _) in &batch {
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
    for (job, slot) in &batch {
        let done = match (&outcome, results.next()) {
            (Ok(()), Some(done)) => done,
            (Err(why), Some(done)) => done.or_not_committed(job, why),
            (Err(why), None) => job.failed(why),
            (Ok(()), None) => job.failed("the batch ended early"),
        };
        fill(slot, done);
    }
}

impl CentralStore {
    /// Queues `job`, then runs every queued job in one transaction unless another thread already
    /// ran this one. `None`: the job was lost with a writer that panicked.
    pub(crate) fn submit(&self, job: Job) -> Option<Done> {
        let slot: Slot = Arc::default();
        lock_jobs(&self.pending.jobs).push((job, Arc::clone(&slot)));
        let mut conn = lock(&self.writer);
        if let Some(done) = lock_jobs(&slot).take() {
            return Some(done);
        }
        let batch = std::mem::take(&mut *lock_jobs(&self.pending.jobs));
        run_batch(&mut conn, batch);
        drop(conn);
        let done = lock_jobs(&slot).take();
        done
    }

    pub(crate) fn submit_create(&self, job: EncodedCreate) -> Result<CreateOutcome> {
        match self.submit(Job::Create(job)) {
            Some(Done::Created(r)) => r,
            _ => Err(StoreError::NotCommitted("the writer failed".to_owned())),
        }
    }

    pub(crate) fn submit_update(&self, job: EncodedUpdate) -> Result<StoredOrder> {
        match self.submit(Job::Update(job)) {
            Some(Done::Updated(r)) => r,
            _ => Err(StoreError::NotCommitted("the writer failed".to_owned())),
        }
    }
}
