import { QueryClient } from "@tanstack/react-query";

/**
 * The one QueryClient for server state. Data comes over IPC from the desktop core, which tells
 * the UI when it changes (typed events invalidate queries), so queries do not refetch on focus.
 */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        refetchOnWindowFocus: false,
        retry: false,
      },
    },
  });
}
