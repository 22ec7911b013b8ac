import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";

import { FilterSelect } from "../../components/FilterSelect.tsx";
import { Empty, ErrorNotice, Loading } from "../../components/ListStatus.tsx";
import { PageCount, PagerButtons } from "../../components/Pager.tsx";
import { commands, type OrderFilterDto } from "../../ipc/bindings.ts";
import { call, explainError } from "../../ipc/call.ts";
import { formatDateTime, humanize, humanizedOption, stateClass, syncClass } from "../../ipc/format.ts";
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
        <FilterSelect
          label="State"
          testId="orders-filter-state"
          value={state}
          anyLabel="any"
          options={STATES.map(humanizedOption)}
          onChange={(next) => {
            setState(next);
            setOffset(0);
          }}
        />
        <FilterSelect
          label="Sync"
          testId="orders-filter-sync"
          value={syncStatus}
          anyLabel="any"
          options={SYNC_STATUSES.map(humanizedOption)}
          onChange={(next) => {
            setSyncStatus(next);
            setOffset(0);
          }}
        />
        <span className="spacer" />
        {orders.isSuccess && <PageCount offset={offset} shown={rows.length} total={total} testId="orders-count" />}
        <PagerButtons offset={offset} pageSize={PAGE} total={total} onOffset={setOffset} />
      </div>

      {orders.isPending && <Loading testId="orders-loading">Loading orders…</Loading>}
      {orders.isError && (
        <ErrorNotice
          testId="orders-error"
          retry={{
            label: "Retry",
            onRetry: () => {
              void orders.refetch();
            },
          }}
        >
          Could not list the orders: {explainError(orders.error)}
        </ErrorNotice>
      )}
      {orders.isSuccess && rows.length === 0 && (
        <Empty testId="orders-empty">
          {state === null && syncStatus === null
            ? "No orders on this desk yet. Orders you capture, and orders synced from the server, appear here."
            : "No order matches these filters."}
        </Empty>
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
