/**
 * A panel's mutations taken together (claim, release, the decisions...): busy while any runs,
 * the failure to show, and a clean start for the next attempt.
 */
interface Action {
  isPending: boolean;
  isError: boolean;
  error: unknown;
  reset: () => void;
}

export function actionGroup<T extends Action>(actions: readonly T[]) {
  return {
    busy: actions.some((action) => action.isPending),
    failed: actions.find((action) => action.isError),
    /** The last failure stays on screen only until the next attempt. */
    clearErrors: () => {
      for (const action of actions) {
        if (action.isError) action.reset();
      }
    },
  };
}
