import { skipToken, useQuery } from "@tanstack/react-query";
import { useState } from "react";

import { commands, type DiffDto, type HistoryRowDto } from "../../ipc/bindings.ts";
import { call, describeError, errorCode } from "../../ipc/call.ts";
import { formatDateTime, humanize, stateClass } from "../../ipc/format.ts";
import { keys } from "../../ipc/keys.ts";

/** Picks two versions to compare: a third pick replaces the older of the two. */
function toggle(picked: readonly number[], version: number): number[] {
  if (picked.includes(version)) {
    return picked.filter((v) => v !== version);
  }
  const next = [...picked, version];
  return next.length > 2 ? next.slice(next.length - 2) : next;
}

/** One order's versions (who, when, why, what kind of change, the state after) and a diff of two. */
export function VersionsPanel({
  order,
  onOpenOrder,
}: {
  order: HistoryRowDto;
  onOpenOrder: (orderId: string) => void;
}) {
  const [picked, setPicked] = useState<number[]>([]);
  // The desk takes a server id for orders it does not hold (and a local one for its own).
  const orderId = order.orderId;
  const versions = useQuery({
    queryKey: keys.versions(orderId),
    queryFn: () => call(commands.listVersions(orderId)),
  });
  const pair = picked.length === 2 ? ([Math.min(...picked), Math.max(...picked)] as const) : null;
  const diff = useQuery({
    queryKey: keys.diff(orderId, pair?.[0] ?? null, pair?.[1] ?? null),
    queryFn: pair === null ? skipToken : () => call(commands.getOrderDiff(orderId, pair[0], pair[1])),
  });

  let list;
  if (versions.isPending) {
    list = <p className="muted">Reading the versions…</p>;
  } else if (versions.isError) {
    list = (
      <div className="notice error" role="alert" data-testid="versions-error">
        The versions could not be read: {describeError(versions.error)}{" "}
        {errorCode(versions.error) === "offline"
          ? "They come from the server; try again once the desk is online."
          : "Try again."}{" "}
        <button
          type="button"
          onClick={() => {
            void versions.refetch();
          }}
        >
          Try again
        </button>
      </div>
    );
  } else if (versions.data.length === 0) {
    list = <p className="muted">The server has no versions of this order.</p>;
  } else {
    list = (
      <table className="grid" data-testid="versions">
        <thead>
          <tr>
            <th aria-label="Compare" />
            <th>#</th>
            <th>When</th>
            <th>Who</th>
            <th>Change and reason</th>
            <th>State after</th>
          </tr>
        </thead>
        <tbody>
          {versions.data.map((v) => (
            <tr key={v.version} data-testid={`version-${String(v.version)}`} aria-selected={picked.includes(v.version)}>
              <td>
                <input
                  type="checkbox"
                  aria-label={`Compare version ${String(v.version)}`}
                  data-testid={`version-select-${String(v.version)}`}
                  checked={picked.includes(v.version)}
                  onChange={() => {
                    setPicked(toggle(picked, v.version));
                  }}
                />
              </td>
              <td className="num">{v.version}</td>
              <td>{formatDateTime(v.at)}</td>
              <td>{v.byName ?? v.byId}</td>
              <td className="wrap version-change">
                <strong>{humanize(v.changeKind)}</strong>
                <span className="version-reason">{v.reason}</span>
              </td>
              <td>
                <span className={stateClass(v.state)}>{humanize(v.state)}</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    );
  }

  return (
    <aside className="history-versions panel" data-testid="history-versions">
      <div className="toolbar">
        <h3>
          Versions of <span className="mono">{order.orderId}</span>
        </h3>
        <span className="spacer" />
        {order.localId !== null ? (
          <button
            type="button"
            data-testid={`open-order-${order.orderId}`}
            onClick={() => {
              if (order.localId !== null) {
                onOpenOrder(order.localId);
              }
            }}
          >
            Open order
          </button>
        ) : (
          <span className="muted" data-testid="not-on-desk">
            Not held on this desk
          </span>
        )}
      </div>
      {list}
      <p className="muted">
        {pair === null ? "Tick two versions to see what changed between them." : `Comparing version ${String(pair[0])} with ${String(pair[1])}.`}
      </p>
      {pair !== null && diff.isPending && <p className="muted">Comparing…</p>}
      {pair !== null && diff.isError && (
        <div className="notice error" role="alert" data-testid="diff-error">
          The versions could not be compared: {describeError(diff.error)} Try another pair or try again.
        </div>
      )}
      {pair !== null && diff.data !== undefined && <DiffView diff={diff.data} />}
    </aside>
  );
}

function Change({ path, before, after }: { path: string; before: string | null; after: string | null }) {
  return (
    <tr>
      <td className="mono wrap">{path}</td>
      <td className="before wrap">{before ?? "—"}</td>
      <td className="after wrap">{after ?? "—"}</td>
    </tr>
  );
}

/** What changed between two versions: order fields, items added, removed and changed. */
function DiffView({ diff }: { diff: DiffDto }) {
  const empty =
    diff.order.length === 0 && diff.added.length === 0 && diff.removed.length === 0 && diff.changed.length === 0;
  return (
    <section className="diff" data-testid="diff">
      <h3>
        Version {diff.from} → {diff.to}
      </h3>
      {empty ? (
        <p className="muted" data-testid="diff-empty">
          The requested content did not change; only the order’s progress moved on.
        </p>
      ) : (
        <>
          {(diff.added.length > 0 || diff.removed.length > 0) && (
            <p>
              {diff.added.length > 0 && (
                <span data-testid="diff-added">Items added: {diff.added.join(", ")}. </span>
              )}
              {diff.removed.length > 0 && (
                <span data-testid="diff-removed">Items removed: {diff.removed.join(", ")}.</span>
              )}
            </p>
          )}
          {(diff.order.length > 0 || diff.changed.length > 0) && (
            <table className="grid diff-table">
              <thead>
                <tr>
                  <th>Field</th>
                  <th>Before</th>
                  <th>After</th>
                </tr>
              </thead>
              <tbody>
                {diff.order.map((change) => (
                  <Change key={change.path} {...change} />
                ))}
                {diff.changed.map((item) => (
                  <ItemChanges key={item.itemId} itemId={item.itemId} changes={item.changes} />
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}

function ItemChanges({ itemId, changes }: { itemId: string; changes: DiffDto["order"] }) {
  return (
    <>
      <tr className="diff-item" data-testid={`diff-item-${itemId}`}>
        <td colSpan={3}>Item {itemId}</td>
      </tr>
      {changes.map((change) => (
        <Change key={`${itemId}-${change.path}`} {...change} />
      ))}
    </>
  );
}
