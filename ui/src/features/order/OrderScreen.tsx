import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { commands, type SessionDto } from "../../ipc/bindings.ts";
import { call, describeError, errorCode } from "../../ipc/call.ts";
import { keys } from "../../ipc/keys.ts";
import { AmendPanel } from "./AmendPanel.tsx";
import { CancelPanel } from "./CancelPanel.tsx";
import { ConflictPanel } from "./ConflictPanel.tsx";
import { ItemProgress } from "./ItemProgress.tsx";
import { NotesPanel } from "./NotesPanel.tsx";
import { OrderHeader } from "./OrderHeader.tsx";
import { itemPastPonr } from "./ponr.ts";
import { ProgressEvents } from "./ProgressEvents.tsx";
import "./order.css";

/** Order states in which nothing more can be asked of the order. */
const FINISHED = new Set(["completed", "failed", "partial", "cancelled", "rejected"]);
/** Item states that can no longer change. */
const FINISHED_ITEMS = new Set(["completed", "failed", "cancelled"]);
const CANCELLING = new Set(["assessingCancellation", "pendingCancellation"]);

type Action = "none" | "cancel" | "amend";

/**
 * One order for everyone: state and sync status, item-level progress down to the service order
 * items, milestones, jeopardy, a timeline, conflict resolution, cancel, amend and notes. Kept
 * current by the app frame, which invalidates the order's queries on every order-changed event.
 */
export function OrderScreen({
  session,
  orderId,
  onBack,
}: {
  session: SessionDto;
  orderId: string;
  onBack: () => void;
}) {
  const client = useQueryClient();
  const [action, setAction] = useState<Action>("none");
  const [notice, setNotice] = useState<string | null>(null);
  const detail = useQuery({
    queryKey: keys.order(orderId),
    queryFn: () => call(commands.getOrder(orderId)),
  });
  const progress = useQuery({
    queryKey: keys.orderProgress(orderId),
    queryFn: () => call(commands.getOrderProgress(orderId)),
  });

  const refresh = () => {
    void client.invalidateQueries({ queryKey: keys.order(orderId) });
    void client.invalidateQueries({ queryKey: keys.orderProgress(orderId) });
  };
  const finish = (message: string) => () => {
    setAction("none");
    setNotice(message);
    refresh();
  };

  if (detail.isPending) {
    return (
      <div className="order-screen" data-testid="order-loading">
        <p className="muted">Loading order {orderId}…</p>
      </div>
    );
  }
  if (detail.isError) {
    return (
      <div className="order-screen" data-testid="order-error">
        <section className="panel">
          <button type="button" className="link-button" onClick={onBack}>
            ← Back
          </button>
          <p className="error-text" role="alert">
            Order {orderId} could not be opened: {describeError(detail.error)}{" "}
            {errorCode(detail.error) === "notFound"
              ? "This desk does not hold it; look it up in the history."
              : "Try again."}
          </p>
          <button
            type="button"
            onClick={() => {
              void detail.refetch();
            }}
          >
            Try again
          </button>
        </section>
      </div>
    );
  }

  const order = detail.data;
  const { row } = order;
  const canChange = session.rights.includes("changeOrders");
  const open =
    row.syncStatus !== "draft" && !FINISHED.has(row.state) && !CANCELLING.has(row.state) && order.conflict === null;
  const lockedItems = new Map<string, string>();
  for (const item of progress.data?.items ?? []) {
    if (FINISHED_ITEMS.has(item.state)) {
      lockedItems.set(item.itemId, `it is ${item.state}`);
    } else if (itemPastPonr(item)) {
      lockedItems.set(item.itemId, "delivery passed the point of no return");
    }
  }
  for (const item of order.content.items) {
    if (!lockedItems.has(item.id) && FINISHED_ITEMS.has(item.state)) {
      lockedItems.set(item.id, `it is ${item.state}`);
    }
  }

  return (
    <div className="order-screen" data-testid="order-screen">
      <OrderHeader detail={order} onBack={onBack} />
      {notice !== null && (
        <p className="panel ok-text" data-testid="order-notice">
          {notice}
        </p>
      )}
      {order.conflict !== null && (
        <ConflictPanel
          orderId={orderId}
          conflict={order.conflict}
          onResolved={(message) => {
            finish(message)();
          }}
        />
      )}
      {canChange && (
        <div className="order-actions">
          <button
            type="button"
            data-testid="amend-order"
            disabled={!open || action === "amend"}
            title={open ? undefined : "Only an open order without a conflict can be amended"}
            onClick={() => {
              setAction("amend");
              setNotice(null);
            }}
          >
            Amend…
          </button>
          <button
            type="button"
            className="danger"
            data-testid="cancel-order"
            disabled={!open || action === "cancel"}
            title={open ? undefined : "Only an open order without a conflict can be cancelled"}
            onClick={() => {
              setAction("cancel");
              setNotice(null);
            }}
          >
            Cancel order…
          </button>
          {!open && (
            <span className="muted">
              {row.syncStatus === "draft"
                ? "A draft is changed in Capture."
                : order.conflict !== null
                  ? "Resolve the conflict first."
                  : `The order is ${row.state}: it can no longer be amended or cancelled.`}
            </span>
          )}
        </div>
      )}
      {action === "cancel" && (
        <CancelPanel
          orderId={orderId}
          onDone={finish("Cancellation asked for. Its outcome appears under Cancellation once the server decides.")}
          onClose={() => {
            setAction("none");
          }}
        />
      )}
      {action === "amend" && (
        <AmendPanel
          orderId={orderId}
          content={order.content}
          lockedItems={lockedItems}
          onDone={finish("Amendment recorded; it is sent to the server with the next sync.")}
          onClose={() => {
            setAction("none");
          }}
        />
      )}
      <div className="order-columns">
        <div className="order-main">
          <ItemProgress progress={progress} contentItems={order.content.items} />
          {progress.data !== undefined && <ProgressEvents progress={progress.data} />}
        </div>
        <div className="order-side">
          <NotesPanel orderId={orderId} notes={order.notes} messages={order.messages} />
        </div>
      </div>
    </div>
  );
}
