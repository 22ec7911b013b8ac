import { useMutation } from "@tanstack/react-query";

import { commands, type ConflictDto } from "../../ipc/bindings.ts";
import { call, describeError } from "../../ipc/call.ts";

/**
 * A conflict: the server's copy moved on while this desk held a change. Shows what differs
 * (this desk's value → the server's) and resolves either way: take the server's copy, or keep
 * this desk's change, sent again on top of the server's version (the server's other changes
 * stay; where both changed a field, this desk's value wins).
 */
export function ConflictPanel({
  orderId,
  conflict,
  onResolved,
}: {
  orderId: string;
  conflict: ConflictDto;
  onResolved: (message: string) => void;
}) {
  const accept = useMutation({
    mutationFn: () => call(commands.acceptServerCopy(orderId)),
    onSuccess: () => {
      onResolved("The server’s copy is now this desk’s copy.");
    },
  });
  const keep = useMutation({
    mutationFn: () => call(commands.keepLocalChange(orderId)),
    onSuccess: () => {
      onResolved("This desk’s change is kept and sent again on top of the server’s version.");
    },
  });
  const busy = accept.isPending || keep.isPending;
  const failed = accept.isError ? accept.error : keep.isError ? keep.error : null;
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
          disabled={busy}
          onClick={() => {
            keep.reset();
            accept.mutate();
          }}
        >
          {accept.isPending ? "Taking the server’s copy…" : "Take the server’s copy"}
        </button>
        <button
          type="button"
          data-testid="keep-local-change"
          disabled={busy}
          onClick={() => {
            accept.reset();
            keep.mutate();
          }}
        >
          {keep.isPending ? "Keeping this desk’s change…" : "Keep mine"}
        </button>
      </div>
      <p className="muted">
        Taking the server’s copy drops this desk’s unsent change. Keeping mine sends it again over
        the server’s version: the server’s other changes stay, and where both changed a field this
        desk’s value wins.
      </p>
      {failed !== null && (
        <p className="error-text" role="alert" data-testid="conflict-error">
          The conflict is not resolved: {describeError(failed)} Look at the order again and retry.
        </p>
      )}
    </section>
  );
}
