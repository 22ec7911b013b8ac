import { useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";

import { events } from "./bindings.ts";
import { keys } from "./keys.ts";

/**
 * Subscribes to the desk's typed events for as long as the signed-in frame is mounted:
 * an order change invalidates the order queries, a queue change the queues, and a sync status
 * change the status bar. Screens never poll.
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

    void events.orderChanged
      .listen(() => {
        void client.invalidateQueries({ queryKey: keys.orders });
        void client.invalidateQueries({ queryKey: keys.queue });
      })
      .then(keep);
    void events.queueChanged
      .listen(() => {
        void client.invalidateQueries({ queryKey: keys.queue });
      })
      .then(keep);
    void events.syncStatusChanged
      .listen((event) => {
        client.setQueryData(keys.syncStatus, event.payload.status);
      })
      .then(keep);

    return () => {
      disposed = true;
      for (const unlisten of unlisteners) {
        unlisten();
      }
    };
  }, [client]);
}
