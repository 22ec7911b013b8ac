import type { SessionDto } from "../../ipc/bindings.ts";

/** Placeholder until the history screen lands (its helper replaces this file). */
export function HistoryScreen(props: { session: SessionDto; onOpenOrder: (orderId: string) => void }) {
  return (
    <section className="screen" data-testid="screen-history">
      <p>Order history for {props.session.name}.</p>
    </section>
  );
}
