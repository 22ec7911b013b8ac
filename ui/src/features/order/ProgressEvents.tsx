import type { OrderProgressDto } from "../../ipc/bindings.ts";
import { formatTime } from "../../ipc/time.ts";

function items(ids: readonly string[]): string {
  return ids.length === 0 ? "" : ` · item${ids.length === 1 ? "" : "s"} ${ids.join(", ")}`;
}

/** Milestones, jeopardy alerts, the outcome of a cancellation, and the order's timeline. */
export function ProgressEvents({ progress }: { progress: OrderProgressDto }) {
  const { milestones, jeopardyAlerts, timeline, cancellation } = progress;
  return (
    <>
      {cancellation !== null && (
        <section className="panel" data-testid="cancellation">
          <h3>
            Cancellation <span className={`badge cancel-${cancellation.state}`}>{cancellation.state}</span>
          </h3>
          <p>
            {cancellation.reason ?? "No reason given"}
            {cancellation.requestedAt !== null && ` · asked ${formatTime(cancellation.requestedAt)}`}
          </p>
          {cancellation.reversed.length > 0 && (
            <p data-testid="cancel-reversed">Reversed: {cancellation.reversed.join(", ")}.</p>
          )}
          {cancellation.notReversed.length > 0 && (
            <>
              <p className="error-text">Not reversed (delivery had passed the point of no return):</p>
              <ul>
                {cancellation.notReversed.map((n) => (
                  <li key={n.itemId} data-testid={`not-reversed-${n.itemId}`}>
                    Item {n.itemId}: {n.reason}
                  </li>
                ))}
              </ul>
            </>
          )}
        </section>
      )}
      {jeopardyAlerts.length > 0 && (
        <section className="panel" data-testid="jeopardy">
          <h3>Jeopardy</h3>
          <ul className="event-list">
            {jeopardyAlerts.map((alert, index) => (
              <li
                key={alert.id ?? `${alert.name}-${String(index)}`}
                className={`jeopardy jeopardy-${(alert.alertType ?? "").toLowerCase()}`}
                data-testid="jeopardy-alert"
              >
                <strong>{alert.alertType ?? "Alert"}</strong> {alert.name}
                {alert.message !== null && `: ${alert.message}`}
                <span className="muted">
                  {" "}
                  · {formatTime(alert.date)}
                  {items(alert.itemIds)}
                </span>
              </li>
            ))}
          </ul>
        </section>
      )}
      <section className="panel" data-testid="milestones">
        <h3>Milestones</h3>
        {milestones.length === 0 ? (
          <p className="muted">No milestones reported yet.</p>
        ) : (
          <ul className="event-list">
            {milestones.map((m, index) => (
              <li key={m.id ?? `${m.name}-${String(index)}`} data-testid="milestone">
                <strong>{m.name}</strong>
                {m.status !== null && ` (${m.status})`}
                {m.description !== null && `: ${m.description}`}
                <span className="muted">
                  {" "}
                  · {formatTime(m.date)}
                  {items(m.itemIds)}
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section className="panel" data-testid="timeline">
        <h3>Timeline</h3>
        {timeline.length === 0 ? (
          <p className="muted">Nothing has happened to this order yet.</p>
        ) : (
          <ol className="timeline">
            {timeline.map((event, index) => (
              <li key={`${event.at}-${String(index)}`} className={`timeline-${event.kind}`}>
                <span className="timeline-at">{formatTime(event.at)}</span> <strong>{event.title}</strong>
                {event.by !== null && <span className="muted"> · {event.by}</span>}
                {event.detail !== null && <div className="muted">{event.detail}</div>}
              </li>
            ))}
          </ol>
        )}
      </section>
    </>
  );
}
