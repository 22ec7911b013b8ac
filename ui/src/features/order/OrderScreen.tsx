import type { SessionDto } from "../../ipc/bindings.ts";

/** Placeholder until the order screen lands (its helper replaces this file). */
export function OrderScreen(props: { session: SessionDto; orderId: string; onBack: () => void }) {
  return (
    <section className="screen" data-testid="screen-order">
      <button type="button" onClick={props.onBack}>
        Back
      </button>
      <p>Order {props.orderId}</p>
    </section>
  );
}
