import { useIsMutating, useMutation, useMutationState, useQuery } from "@tanstack/react-query";

import { commands } from "../../ipc/bindings.ts";
import { call } from "../../ipc/call.ts";
import { keys } from "../../ipc/keys.ts";

/**
 * Where synchronisation stands: read once, then kept current by the `sync-status-changed` event
 * (`useLiveInvalidation` writes the pushed status into the cache), so it never polls.
 */
export function useSyncStatus() {
  return useQuery({
    queryKey: keys.syncStatus,
    queryFn: () => call(commands.getSyncStatus()),
  });
}

const syncNowKey = ["syncNow"] as const;

/**
 * Push and pull now; the outcome arrives as a status event. Keyed, so that the status bar
 * shows a run started anywhere (its button, the palette).
 */
export function useSyncNow() {
  return useMutation({ mutationKey: syncNowKey, mutationFn: () => call(commands.syncNow()) });
}

/** Whether a "Sync now" runs, and the failure of the latest one, if it failed. */
export function useLatestSyncNow(): { running: boolean; error: unknown } {
  const running = useIsMutating({ mutationKey: syncNowKey }) > 0;
  const states = useMutationState({ filters: { mutationKey: syncNowKey }, select: (m) => m.state });
  const latest = states[states.length - 1];
  return { running, error: latest?.status === "error" ? latest.error : null };
}
