import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef } from "react";

import { commands, type QueueEntryDto } from "../../ipc/bindings.ts";
import { call } from "../../ipc/call.ts";
import { keys } from "../../ipc/keys.ts";

/** The desk answers at most this many entries a call (crates/desk `MAX_PAGE`). */
const PAGE = 500;

const allEntries = keys.queueList("all");

/**
 * Every mirrored queue entry, in work order: read page by page so that the board filters and
 * sorts on the client. Kept live by `queue-changed` (which invalidates `keys.queue`).
 */
export async function loadAllEntries(signal?: AbortSignal): Promise<QueueEntryDto[]> {
  const entries: QueueEntryDto[] = [];
  for (;;) {
    // A newer read replaced this one (the queue changed again): stop asking for pages.
    signal?.throwIfAborted();
    const page = await call(
      commands.listQueue({ kind: null, reason: null, priority: null, offset: entries.length, limit: PAGE }),
    );
    entries.push(...page.items);
    if (page.items.length === 0 || entries.length >= page.total) {
      return entries;
    }
  }
}

export function useQueueEntries() {
  return useQuery({ queryKey: allEntries, queryFn: ({ signal }) => loadAllEntries(signal) });
}

/**
 * Reads the server's queues into the mirror once when the board opens, and on demand. Its
 * failure (offline) leaves the last mirrored queue on screen.
 */
export function useRefreshQueue() {
  const client = useQueryClient();
  const refresh = useMutation({
    mutationFn: () => call(commands.refreshQueue()),
    onSuccess: () => client.invalidateQueries({ queryKey: keys.queue }),
  });
  const started = useRef(false);
  const { mutate } = refresh;
  useEffect(() => {
    if (!started.current) {
      started.current = true;
      mutate();
    }
  }, [mutate]);
  return refresh;
}

/** Puts an entry the desk answered (claim, release) into the loaded list at once. */
function useReplaceEntry() {
  const client = useQueryClient();
  return (entry: QueueEntryDto) => {
    client.setQueryData<QueueEntryDto[]>(allEntries, (entries) =>
      entries?.map((old) => (old.orderId === entry.orderId ? entry : old)),
    );
  };
}

/** Claim, release and the actions that need the claim; every success re-reads the queues. */
export function useEntryActions(orderId: string) {
  const client = useQueryClient();
  const replace = useReplaceEntry();
  const settle = async () => {
    await Promise.all([
      client.invalidateQueries({ queryKey: keys.queue }),
      client.invalidateQueries({ queryKey: keys.orders }),
    ]);
  };
  return {
    claim: useMutation({
      mutationFn: () => call(commands.claimEntry(orderId, null)),
      onSuccess: replace,
    }),
    release: useMutation({
      mutationFn: () => call(commands.releaseEntry(orderId)),
      onSuccess: replace,
    }),
    resolve: useMutation({
      mutationFn: (input: { reason: string; note: string | null }) =>
        call(commands.resolveEntry(orderId, input.reason, input.note)),
      onSuccess: settle,
    }),
    reject: useMutation({
      mutationFn: (reason: string) => call(commands.rejectEntry(orderId, reason)),
      onSuccess: settle,
    }),
    cancel: useMutation({
      mutationFn: (reason: string) => call(commands.cancelEntry(orderId, reason)),
      onSuccess: settle,
    }),
    recordDeposit: useMutation({
      mutationFn: (input: { reference: string; note: string | null }) =>
        call(commands.recordDeposit(orderId, input.reference, input.note)),
      onSuccess: settle,
    }),
    addNote: useMutation({
      mutationFn: (text: string) => call(commands.addOrderNote(orderId, text)),
      onSuccess: () => client.invalidateQueries({ queryKey: keys.order(orderId) }),
    }),
  };
}
