import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";

import { commands, type OrderFilterDto } from "../../ipc/bindings.ts";
import { call, explainError } from "../../ipc/call.ts";
import { formatDateTime, humanize, stateClass, syncClass } from "../../ipc/format.ts";
import { keys } from "../../ipc/keys.ts";

const PAGE = 100;

const STATES = [
  "draft",
  "acknowledged",
  "held",
  "pending",
  "inProgress",
  "completed",
  "partial",
  "failed",
  "rejected",
  "cancelled",
  "assessingCancellation",
  "pendingCancellation",
];
const SYNC_STATUSES = ["draft", "awaitingSync", "synced", "rejected", "conflict"];

interface MyOrdersProps {
  onOpenOrder: (orderId: string) => void;
}

/** "My orders": the desk's local orders, newest first, with their state and sync status. */
export function MyOrders({ onOpenOrder }: MyOrdersProps) {
  const [state, setState] = useState<string | null>(null);
  const [syncStatus, setSyncStatus] = useState<string | null>(null);
  const [offset, setOffset] = useState(0);
  const filter: OrderFilterDto = { state, syncStatus, oldestFirst: null, offset, limit: PAGE };
  const orders = useQuery({
    queryKey: keys.orderList(filter),
    queryFn: () => call(commands.listOrders(filter)),
    placeholderData: keepPreviousData,
  });

  const total = orders.data?.total ?? 0;
  const rows = orders.data?.items ?? [];

  return (
    <section className="screen" aria-labelledby="my-orders-title" data-testid="screen-orders">
      <div className="toolbar">
        <h2 id="my-orders-title">My orders</h2>
        <label>
          State{" "}
          <select
            value={state ?? ""}
            data-testid="orders-filter-state"
            onChange={(event) => {
              setState(event.target.value === "" ? null : event.target.value);
              setOffset(0);
            }}
          >
            <option value="">any</option>
            {STATES.map((s) => (
              <option key={s} value={s}>
                {humanize(s)}
              </option>
            ))}
          </select>
        </label>
        <label>
          Sync{" "}
          <select
            value={syncStatus ?? ""}
            data-testid="orders-filter-sync"
            onChange={(event) => {
              setSyncStatus(event.target.value === "" ? null : event.target.value);
              setOffset(0);
            }}
          >
            <option value="">any</option>
            {SYNC_STATUSES.map((s) => (
              <option key={s} value={s}>
                {humanize(s)}
              </option>
            ))}
          </select>
        </label>
        <span className="spacer" />
        {orders.isSuccess && (
          <span className="muted" data-testid="orders-count">
            {total === 0
              ? "No orders"
              : `${String(offset + 1)}–${String(offset + rows.length)} of ${String(total)}`}
          </span>
        )}
        <button
          type="button"
          disabled={offset === 0}
          onClick={() => {
            setOffset(Math.max(0, offset - PAGE));
          }}
        >
          Previous
        </button>
        <button
          type="button"
          disabled={offset + PAGE >= total}
          onClick={() => {
            setOffset(offset + PAGE);
          }}
        >
          Next
        </button>
      </div>

      {orders.isPending && (
        <p className="muted" aria-busy="true" data-testid="orders-loading">
          Loading orders…
        </p>
      )}
      {orders.isError && (
        <div className="notice error" role="alert" data-testid="orders-error">
          Could not list the orders: {explainError(orders.error)}{" "}
          <button
            type="button"
            onClick={() => {
              void orders.refetch();
            }}
          >
            Retry
          </button>
        </div>
      )}
      {orders.isSuccess && rows.length === 0 && (
        <p className="empty" data-testid="orders-empty">
          {state === null && syncStatus === null
            ? "No orders on this desk yet. Orders you capture, and orders synced from the server, appear here."
            : "No order matches these filters."}
        </p>
      )}
      {rows.length > 0 && (
        <table className="grid" data-testid="orders-table">
          <thead>
            <tr>
              <th>Order</th>
              <th>Customer</th>
              <th>State</th>
              <th>Sync</th>
              <th className="num">Items</th>
              <th>Priority</th>
              <th>Ordered</th>
              <th>Updated</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((order) => (
              <tr
                key={order.id}
                tabIndex={0}
                className="clickable"
                data-testid={`order-row-${order.id}`}
                onClick={() => {
                  onOpenOrder(order.id);
                }}
                onKeyDown={(event) => {
                  if (event.key === "Enter") onOpenOrder(order.id);
                }}
              >
                <td className="mono" title={order.serverId === null ? "Not on the server yet" : `Local ${order.id}`}>
                  {order.serverId ?? order.id}
                </td>
                <td>
                  {order.customerName ?? order.customerId}
                  {order.address !== null && <span className="muted"> · {order.address}</span>}
                </td>
                <td>
                  <span className={stateClass(order.state)}>{humanize(order.state)}</span>
                </td>
                <td>
                  <span className={syncClass(order.syncStatus)} title={order.syncError ?? order.lastError ?? undefined}>
                    {humanize(order.syncStatus)}
                  </span>
                </td>
                <td className="num">{order.items}</td>
                <td>P{order.priority}</td>
                <td>{formatDateTime(order.orderDate)}</td>
                <td>{formatDateTime(order.updatedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
