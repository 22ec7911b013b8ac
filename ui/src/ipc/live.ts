import { useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";

import { events } from "./bindings.ts";
import { keys } from "./keys.ts";

/**
 * How long change events are gathered before the queries they touch are invalidated. A sync
 * pull can announce hundreds of orders at once; one re-read after the burst beats hundreds of
 * re-reads cancelling each other (the queue board reads every entry, page by page).
 */
export const COALESCE_MS = 50;

/**
 * Subscribes to the desk's typed events for as long as the signed-in frame is mounted:
 * an order change invalidates the order queries, a queue change the queues, and a sync status
 * change the status bar (at once: the event carries the status). Screens never poll.
 */
export function useLiveInvalidation(): void {
  const client = useQueryClient();

  useEffect(() => {
    let disposed = false;
    const unlisteners: (() => void)[] = [];
    const keep = (unlisten: () => void) => {
      if (disposed) {
        unlisten();
      } else {
        unlisteners.push(unlisten);
      }
    };

    const due = { orders: false, queue: false };
    let timer: ReturnType<typeof setTimeout> | null = null;
    const flush = () => {
      timer = null;
      if (due.orders) void client.invalidateQueries({ queryKey: keys.orders });
      if (due.queue) void client.invalidateQueries({ queryKey: keys.queue });
      due.orders = false;
      due.queue = false;
    };
    const schedule = (orders: boolean, queue: boolean) => {
      due.orders ||= orders;
      due.queue ||= queue;
      timer ??= setTimeout(flush, COALESCE_MS);
    };

    void events.orderChanged
      .listen(() => {
        schedule(true, true);
      })
      .then(keep);
    void events.queueChanged
      .listen(() => {
        schedule(false, true);
      })
      .then(keep);
    void events.syncStatusChanged
      .listen((event) => {
        client.setQueryData(keys.syncStatus, event.payload.status);
      })
      .then(keep);

    return () => {
      disposed = true;
      if (timer !== null) clearTimeout(timer);
      for (const unlisten of unlisteners) {
        unlisten();
      }
    };
  }, [client]);
}
