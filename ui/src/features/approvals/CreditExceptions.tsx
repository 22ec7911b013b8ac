import { useMemo, useState } from "react";

import { ClaimButton, ClaimHolder, HoldReasons } from "../../components/Claim.tsx";
import { FilterSelect } from "../../components/FilterSelect.tsx";
import { Empty, ErrorNotice, Loading } from "../../components/ListStatus.tsx";
import { DoneNotice } from "../../components/Notice.tsx";
import { actionGroup } from "../../ipc/actions.ts";
import type { CreditExceptionDto, SessionDto } from "../../ipc/bindings.ts";
import { explainError } from "../../ipc/call.ts";
import { claimedByOther, claimState, type ClaimState } from "../../ipc/claim.ts";
import { formatDateTime, formatDuration, formatMoney, humanize, timeOf, useNow } from "../../ipc/format.ts";
import { useShortcutKeys } from "../../ipc/keyboard.ts";
import { DecisionForm, type Decision } from "./DecisionForm.tsx";
import { useCreditActions, useCreditExceptions } from "./useCredit.ts";

const CREDIT_QUEUES = [
  { value: "creditReferral", label: "credit referrals" },
  { value: "deposit", label: "deposit waits" },
];

interface CreditExceptionsProps {
  session: SessionDto;
  onOpenOrder: (orderId: string) => void;
}

/**
 * Credit exceptions for supervisors: referrals and deposit waits with the customer's credit and
 * what the order adds to the exposure. Claim one, then approve, require a deposit or decline,
 * always with a reason (it is written into the order's history).
 */
export function CreditExceptions({ session, onOpenOrder }: CreditExceptionsProps) {
  const list = useCreditExceptions();
  const now = useNow(1000);
  const [queue, setQueue] = useState<string | null>(null);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const shown = useMemo(
    () => (list.data ?? []).filter((exception) => queue === null || exception.queue === queue),
    [list.data, queue],
  );
  const selected = shown.find((exception) => exception.entry.orderId === selectedId);

  useShortcutKeys((key) => {
    if (key !== "j" && key !== "k" && key !== "ArrowDown" && key !== "ArrowUp") return false;
    if (shown.length === 0) return true;
    const step = key === "j" || key === "ArrowDown" ? 1 : -1;
    const index = shown.findIndex((exception) => exception.entry.orderId === selectedId);
    const next = shown[index < 0 ? 0 : Math.min(shown.length - 1, Math.max(0, index + step))];
    if (next !== undefined) setSelectedId(next.entry.orderId);
    return true;
  });

  return (
    <section className="screen" aria-labelledby="credit-title" data-testid="screen-approvals">
      <div className="toolbar">
        <h2 id="credit-title">Credit exceptions</h2>
        <FilterSelect
          label="Queue"
          testId="credit-filter-queue"
          value={queue}
          anyLabel="referrals and deposits"
          options={CREDIT_QUEUES}
          onChange={setQueue}
        />
        <span className="spacer" />
        {list.isSuccess && (
          <span className="muted" data-testid="credit-count">
            {shown.length} exception{shown.length === 1 ? "" : "s"}
          </span>
        )}
        <button
          type="button"
          data-testid="credit-refresh"
          disabled={list.isFetching}
          onClick={() => {
            void list.refetch();
          }}
        >
          {list.isFetching ? "Refreshing…" : "Refresh"}
        </button>
      </div>

      {done !== null && (
        <DoneNotice
          message={done}
          testId="credit-done"
          onDismiss={() => {
            setDone(null);
          }}
        />
      )}

      {list.isPending ? (
        <Loading testId="credit-loading">Loading credit exceptions…</Loading>
      ) : list.isError ? (
        <ErrorNotice testId="credit-list-error">
          Could not list the credit exceptions: {explainError(list.error)}
        </ErrorNotice>
      ) : shown.length === 0 ? (
        <Empty testId="credit-empty">
          {queue === null
            ? "No credit referrals or deposit waits: nothing to decide."
            : "None in this queue. Choose “referrals and deposits” to see all."}
        </Empty>
      ) : (
        <div className="queue-body">
          <div className="queue-table">
            <table className="grid" data-testid="credit-table">
              <thead>
                <tr>
                  <th>Order</th>
                  <th>Customer</th>
                  <th>Queue</th>
                  <th className="num">Score</th>
                  <th className="num">Exposure now</th>
                  <th className="num">Adds</th>
                  <th className="num">After</th>
                  <th className="num">Limit</th>
                  <th>Within</th>
                  <th className="num">Arrears</th>
                  <th>Waiting</th>
                  <th>Claimed by</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((exception) => {
                  const { entry, figures } = exception;
                  const claim = claimState(entry, session.userId, now);
                  return (
                    <tr
                      key={entry.orderId}
                      className="clickable"
                      aria-selected={entry.orderId === selectedId}
                      data-testid={`credit-row-${entry.orderId}`}
                      onClick={() => {
                        setSelectedId(entry.orderId);
                      }}
                      onDoubleClick={() => {
                        onOpenOrder(entry.orderId);
                      }}
                    >
                      <td className="mono">{entry.orderId}</td>
                      <td>{entry.customerName ?? entry.customerId}</td>
                      <td>{humanize(exception.queue)}</td>
                      <td className="num">{figures?.score ?? "—"}</td>
                      <td className="num">{formatMoney(figures?.monthlyExposure ?? null)}</td>
                      <td className="num">{formatMoney(figures?.chargesAdded ?? null)}</td>
                      <td className="num">{formatMoney(figures?.exposureAfter ?? null)}</td>
                      <td className="num">{formatMoney(figures?.exposureLimit ?? null)}</td>
                      <td>
                        <WithinLimit value={figures?.withinLimit ?? null} />
                      </td>
                      <td className="num">{formatMoney(figures?.arrears ?? null)}</td>
                      <td>{formatDuration(now - (timeOf(entry.waitingSince) ?? now))}</td>
                      <td>
                        <ClaimHolder claim={claim} />
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          {selected !== undefined && (
            <CreditPanel
              key={selected.entry.orderId}
              exception={selected}
              claim={claimState(selected.entry, session.userId, now)}
              onOpenOrder={onOpenOrder}
              onClose={() => {
                setSelectedId(null);
              }}
              onDone={setDone}
            />
          )}
        </div>
      )}
    </section>
  );
}

function WithinLimit({ value }: { value: boolean | null }) {
  if (value === null) return <span className="muted">—</span>;
  return value ? <span className="within-limit">yes</span> : <span className="over-limit">over limit</span>;
}

function CreditPanel({
  exception,
  claim,
  onOpenOrder,
  onClose,
  onDone,
}: {
  exception: CreditExceptionDto;
  claim: ClaimState;
  onOpenOrder: (orderId: string) => void;
  onClose: () => void;
  onDone: (message: string) => void;
}) {
  const { entry, figures } = exception;
  const actions = useCreditActions(entry.orderId);
  const [decision, setDecision] = useState<Decision | null>(null);
  const { busy, failed, clearErrors } = actionGroup([
    actions.claim,
    actions.release,
    actions.approve,
    actions.requireDeposit,
    actions.decline,
  ]);
  const holding = claim.kind === "mine";

  function decide(next: Decision) {
    clearErrors();
    setDecision(next);
  }
  function claimIt() {
    clearErrors();
    actions.claim.mutate();
  }

  useShortcutKeys((key) => {
    if (key === "c" && claim.kind === "free" && !busy) {
      claimIt();
      return true;
    }
    if (key === "Escape") {
      onClose();
      return true;
    }
    return false;
  });

  const done = () => {
    setDecision(null);
  };
  const finished = (message: string) => () => {
    setDecision(null);
    onDone(`${entry.orderId}: ${message}`);
  };

  return (
    <aside className="side-panel" aria-label={`Credit exception ${entry.orderId}`} data-testid="credit-panel">
      <div className="toolbar">
        <h3 className="mono">{entry.orderId}</h3>
        <span className="badge kind-held">{humanize(exception.queue)}</span>
        <span className="spacer" />
        <button type="button" title="Close (Esc)" onClick={onClose}>
          ✕
        </button>
      </div>
      <dl>
        <dt>Customer</dt>
        <dd>
          {entry.customerName ?? "—"} <span className="muted mono">{entry.customerId}</span>
        </dd>
        <dt>Reason</dt>
        <dd>{entry.reason ?? "—"}</dd>
      </dl>
      {entry.reasons.length > 0 && <HoldReasons reasons={entry.reasons} />}

      <h4>Credit</h4>
      {figures === null ? (
        <p className="muted" data-testid="credit-no-figures">
          The server's credit figures are not available offline. Decide once the desk is online.
        </p>
      ) : (
        <dl data-testid="credit-figures">
          <dt>Score</dt>
          <dd>
            {figures.score ?? "—"}
            {figures.checkedAt !== null && <span className="muted"> (checked {formatDateTime(figures.checkedAt)})</span>}
          </dd>
          <dt>Monthly exposure</dt>
          <dd>{formatMoney(figures.monthlyExposure)}</dd>
          <dt>Exposure limit</dt>
          <dd>{formatMoney(figures.exposureLimit)}</dd>
          <dt>Arrears</dt>
          <dd>{formatMoney(figures.arrears)}</dd>
          <dt>Charges added</dt>
          <dd>{formatMoney(figures.chargesAdded)}</dd>
          <dt>Charges removed</dt>
          <dd>{formatMoney(figures.chargesRemoved)}</dd>
          <dt>Exposure after</dt>
          <dd>{formatMoney(figures.exposureAfter)}</dd>
          <dt>Within limit</dt>
          <dd>
            <WithinLimit value={figures.withinLimit} />
          </dd>
        </dl>
      )}

      <h4>Decision</h4>
      <div className="actions">
        <ClaimButton
          claim={claim}
          busy={busy}
          claiming={actions.claim.isPending}
          testIdPrefix="credit"
          onClaim={claimIt}
          onRelease={() => {
            clearErrors();
            actions.release.mutate();
          }}
        />
        <button type="button" disabled={!holding || busy} data-testid="credit-approve" onClick={() => { decide("approve"); }}>
          Approve…
        </button>
        <button type="button" disabled={!holding || busy} data-testid="credit-deposit" onClick={() => { decide("deposit"); }}>
          Require deposit…
        </button>
        <button type="button" disabled={!holding || busy} data-testid="credit-decline" onClick={() => { decide("decline"); }}>
          Decline…
        </button>
        <button type="button" data-testid="credit-open-order" onClick={() => { onOpenOrder(entry.orderId); }}>
          Open order
        </button>
      </div>
      {claim.kind === "free" && <p className="explain">Claim this exception to decide it.</p>}
      {claim.kind === "other" && (
        <p className="explain" data-testid="credit-claimed-by">
          {claimedByOther(claim)}
        </p>
      )}
      {failed !== undefined && (
        <p className="notice error" role="alert" data-testid="credit-error">
          {explainError(failed.error)}
        </p>
      )}
      {decision !== null && (
        <DecisionForm
          key={decision}
          decision={decision}
          pending={busy}
          onCancel={done}
          onSubmit={({ reason, amount }) => {
            if (decision === "approve") {
              actions.approve.mutate(reason, { onSuccess: finished("approved; the order goes on to fulfilment.") });
            } else if (decision === "decline") {
              actions.decline.mutate(reason, { onSuccess: finished("declined; the order is cancelled.") });
            } else if (amount !== null) {
              actions.requireDeposit.mutate(
                { amount, reason },
                { onSuccess: finished(`deposit of ${formatMoney(amount)} required; the order waits for it.`) },
              );
            }
          }}
        />
      )}
    </aside>
  );
}
