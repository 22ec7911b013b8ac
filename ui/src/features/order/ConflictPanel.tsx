import { useMutation } from "@tanstack/react-query";

import { commands, type ConflictDto } from "../../ipc/bindings.ts";
import { call, describeError } from "../../ipc/call.ts";

/**
 * A conflict: the server's copy moved on while this desk held a change. Shows what differs
 * (this desk's value → the server's) and resolves by taking the server's copy.
 */
export function ConflictPanel({
  orderId,
  conflict,
  onResolved,
}: {
  orderId: string;
  conflict: ConflictDto;
  onResolved: () => void;
}) {
  const accept = useMutation({
    mutationFn: () => call(commands.acceptServerCopy(orderId)),
    onSuccess: onResolved,
  });
  const nothingListed =
    conflict.changes.length === 0 && conflict.itemsAdded.length === 0 && conflict.itemsRemoved.length === 0;
  return (
    <section className="panel conflict" data-testid="conflict">
      <h3>Conflict with the server’s copy</h3>
      <p>
        The server has version {conflict.serverVersion} of this order, now{" "}
        <strong>{conflict.serverState}</strong>, which differs from the change made on this desk.
      </p>
      {nothingListed ? (
        <p className="muted">The requested content is the same; only the order’s progress differs.</p>
      ) : (
        <table className="dense-table" data-testid="conflict-changes">
          <thead>
            <tr>
              <th>Field</th>
              <th>On this desk</th>
              <th>On the server</th>
            </tr>
          </thead>
          <tbody>
            {conflict.changes.map((change) => (
              <tr key={change.path}>
                <td className="path">{change.path}</td>
                <td>{change.before ?? "—"}</td>
                <td>{change.after ?? "—"}</td>
              </tr>
            ))}
            {conflict.itemsAdded.map((item) => (
              <tr key={`added-${item}`}>
                <td className="path">item {item}</td>
                <td>—</td>
                <td>added on the server</td>
              </tr>
            ))}
            {conflict.itemsRemoved.map((item) => (
              <tr key={`removed-${item}`}>
                <td className="path">item {item}</td>
                <td>present</td>
                <td>removed on the server</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="actions">
        <button
          type="button"
          className="primary"
          data-testid="accept-server-copy"
          disabled={accept.isPending}
          onClick={() => {
            accept.mutate();
          }}
        >
          {accept.isPending ? "Taking the server’s copy…" : "Take the server’s copy"}
        </button>
        <span className="muted">This desk’s unsent change is dropped; amend again afterwards if it is still needed.</span>
      </div>
      {accept.isError && (
        <p className="error-text" role="alert">
          The conflict is not resolved: {describeError(accept.error)} Try again.
        </p>
      )}
    </section>
  );
}
