import type { UseQueryResult } from "@tanstack/react-query";

import type { DecompositionDto } from "../../ipc/bindings.ts";
import { describeError } from "../../ipc/call.ts";

const SKIP_REASONS: Record<string, string> = {
  noChange: "the item does not change",
  noServiceRelevantChange: "nothing the network delivers changes",
  noApplicableCfs: "no customer-facing service applies",
  noInstalledServices: "the installed product has no services to change",
  replaced: "replaced by the item that migrates it",
};

/** The service order the draft would decompose into; for a modify, only the delta. */
export function DecompositionPreview({
  decomposition,
  isModify,
}: {
  decomposition: UseQueryResult<DecompositionDto>;
  isModify: boolean;
}) {
  let body;
  if (decomposition.isError) {
    body = (
      <p className="error-text" role="alert">
        No preview: {describeError(decomposition.error)} It appears once the draft validates.
      </p>
    );
  } else if (decomposition.data === undefined) {
    body = <p className="muted">Working out the service order…</p>;
  } else {
    const { items, skipped } = decomposition.data;
    body = (
      <>
        {items.length === 0 ? (
          <p className="muted">No service work: nothing needs to be done in the network.</p>
        ) : (
          <table className="dense-table">
            <thead>
              <tr>
                <th>Service item</th>
                <th>CFS</th>
                <th>Action</th>
                <th>Technology</th>
                <th>Address</th>
                <th>From items</th>
                <th>After</th>
                <th>PONR</th>
              </tr>
            </thead>
            <tbody>
              {items.map((item) => (
                <tr key={item.id} data-testid={`service-item-${item.id}`}>
                  <td>{item.id}</td>
                  <td>{item.cfs}</td>
                  <td>{item.action}</td>
                  <td>{item.technology ?? "—"}</td>
                  <td>{item.placeId ?? "—"}</td>
                  <td>{item.fromItems.join(", ")}</td>
                  <td>{item.dependsOn.length === 0 ? "—" : item.dependsOn.join(", ")}</td>
                  <td>{item.pointOfNoReturn ? "yes" : "no"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {skipped.length > 0 && (
          <>
            <h4>Items with no service work</h4>
            <ul className="skipped">
              {skipped.map((s) => (
                <li key={s.itemId} data-testid={`skipped-${s.itemId}`}>
                  Item {s.itemId}: {SKIP_REASONS[s.reason] ?? s.reason}
                </li>
              ))}
            </ul>
          </>
        )}
      </>
    );
  }
  return (
    <section className="panel decomposition" data-testid="decomposition">
      <h3>Service order preview{isModify ? " (changes only)" : ""}</h3>
      {body}
    </section>
  );
}
