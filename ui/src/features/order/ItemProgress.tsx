import type { UseQueryResult } from "@tanstack/react-query";
import { Fragment } from "react";

import type { DraftItemDto, ItemProgressDto, OrderProgressDto } from "../../ipc/bindings.ts";
import { describeError, errorCode } from "../../ipc/call.ts";
import { stateClass } from "../../ipc/format.ts";
import { itemPastPonr, servicePastPonr } from "./ponr.ts";
import { formatTime } from "../../ipc/time.ts";

function fromContent(items: readonly DraftItemDto[]): ItemProgressDto[] {
  return items.map((item) => ({
    itemId: item.id,
    action: item.action,
    offeringId: item.offeringId,
    offeringName: null,
    state: item.state,
    serviceItems: [],
  }));
}

/**
 * Each product item with its state and, under it, the service order items realising it (state,
 * point of no return, the SOM's error). Without the server's progress it shows the item states
 * the desk holds locally.
 */
export function ItemProgress({
  progress,
  contentItems,
}: {
  progress: UseQueryResult<OrderProgressDto>;
  contentItems: readonly DraftItemDto[];
}) {
  const items = progress.data?.items ?? fromContent(contentItems);
  let note;
  if (progress.isPending) {
    note = <p className="muted">Reading item progress…</p>;
  } else if (progress.isError) {
    note = (
      <p className="muted" data-testid="progress-unavailable">
        Service-level progress could not be read ({describeError(progress.error)}); the item states
        shown are this desk’s copy.{" "}
        {errorCode(progress.error) === "offline"
          ? "It refreshes once the desk is back online."
          : "It refreshes when the order changes."}
      </p>
    );
  } else if (progress.data.fetchedAt === null) {
    note = (
      <p className="muted" data-testid="progress-offline">
        Offline: showing this desk’s last copy.
      </p>
    );
  } else {
    note = <p className="muted">As of {formatTime(progress.data.fetchedAt)}.</p>;
  }

  return (
    <section className="panel" data-testid="item-progress">
      <h3>Items</h3>
      {note}
      {items.length === 0 ? (
        <p className="muted">The order has no items.</p>
      ) : (
        <table className="dense-table">
          <thead>
            <tr>
              <th>Item</th>
              <th>Action</th>
              <th>Offering</th>
              <th>State</th>
              <th>PONR</th>
            </tr>
          </thead>
          <tbody>
            {items.map((item) => {
              const pastPonr = itemPastPonr(item);
              const requested = contentItems.find((c) => c.id === item.itemId);
              return (
                <Fragment key={item.itemId}>
                  <tr className="item-row" data-testid={`item-${item.itemId}`}>
                    <td>{item.itemId}</td>
                    <td>{item.action}</td>
                    <td>
                      {item.offeringName ?? item.offeringId ?? "—"}
                      {item.offeringName !== null && item.offeringId !== null && (
                        <span className="muted"> ({item.offeringId})</span>
                      )}
                      {requested !== undefined && <Requested item={requested} />}
                    </td>
                    <td>
                      <span className={stateClass(item.state)} data-testid={`item-state-${item.itemId}`}>
                        {item.state}
                      </span>
                    </td>
                    <td>{pastPonr ? <span className="badge ponr">past PONR</span> : "—"}</td>
                  </tr>
                  {item.serviceItems.map((service) => (
                    <tr key={service.id} className="service-row" data-testid={`service-item-${service.id}`}>
                      <td className="indent">↳ {service.id}</td>
                      <td>{service.action}</td>
                      <td>
                        {service.cfs}
                        {service.serviceOrderId !== null && (
                          <span className="muted"> · {service.serviceOrderId}</span>
                        )}
                        {service.errorMessage !== null && (
                          <div className="error-text" data-testid={`service-error-${service.id}`}>
                            {service.errorMessage}
                          </div>
                        )}
                      </td>
                      <td>
                        <span className={stateClass(service.state)} data-testid={`service-state-${service.id}`}>
                          {service.state}
                        </span>
                      </td>
                      <td>
                        {servicePastPonr(service) ? "passed" : service.pointOfNoReturn ? "PONR step" : "—"}
                      </td>
                    </tr>
                  ))}
                </Fragment>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** What the item asks for: its characteristics, address and appointment, in one quiet line. */
function Requested({ item }: { item: DraftItemDto }) {
  const parts = [
    ...item.characteristics.map((c) => `${c.name} ${c.value}`),
    ...(item.placeId === null ? [] : [`at ${item.placeId}`]),
    ...(item.productId === null ? [] : [`product ${item.productId}`]),
    ...(item.appointment === null
      ? []
      : [`appointment ${formatTime(item.appointment.start)} – ${formatTime(item.appointment.end)}`]),
  ];
  if (parts.length === 0) {
    return null;
  }
  return (
    <div className="requested muted" data-testid={`requested-${item.id}`}>
      {parts.join(" · ")}
    </div>
  );
}
