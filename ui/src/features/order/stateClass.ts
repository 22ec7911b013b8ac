/** The frame's colour class for an order, item or service state (`inProgress.accepted` → `state-inProgress-accepted`). */
export function stateClass(state: string): string {
  return `state-${state.replace(/\./g, "-")}`;
}
