import { useMutation, useQuery } from "@tanstack/react-query";

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

/** Push and pull now; the outcome arrives as a status event. */
export function useSyncNow() {
  return useMutation({ mutationFn: () => call(commands.syncNow()) });
}
