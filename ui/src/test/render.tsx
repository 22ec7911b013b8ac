import { QueryClientProvider, type QueryClient } from "@tanstack/react-query";
import { render, type RenderResult } from "@testing-library/react";
import type { ReactNode } from "react";

import type { SessionDto, SyncStatusDto } from "../ipc/bindings.ts";
import { createQueryClient } from "../ipc/queryClient.ts";

/**
 * Renders with a fresh QueryClient (the app's own settings), and hands the client back. Every
 * screen test renders through this; the bindings mock (`desk.ts`) must still be declared in the
 * test file itself, since `vi.mock` is hoisted per file.
 */
export function renderWithClient(ui: ReactNode): RenderResult & { client: QueryClient } {
  const client = createQueryClient();
  const result = render(<QueryClientProvider client={client}>{ui}</QueryClientProvider>);
  return { ...result, client };
}

const agentRights = ["useDesk", "readCatalog", "captureOrders", "readOrders", "changeOrders", "readSyncStatus"];

/**
 * Sessions as the desk answers them; rights mirror crates/desk/src/permission.rs. A test of a
 * missing right spreads one and overrides `role` and `rights`.
 */
export const sessions = {
  agent: {
    userId: "demo-agent-1",
    name: "Demo Agent",
    role: "agent",
    rights: agentRights,
    serverUrl: "http://127.0.0.1:8622",
  },
  backoffice: {
    userId: "demo-backoffice-1",
    name: "Demo Back Office",
    role: "backoffice",
    rights: [...agentRights, "workQueue"],
    serverUrl: "http://127.0.0.1:8622",
  },
  supervisor: {
    userId: "demo-supervisor-1",
    name: "Demo Supervisor",
    role: "supervisor",
    rights: [...agentRights, "workQueue", "decideCredit", "readHistory"],
    serverUrl: "http://127.0.0.1:8622",
  },
} satisfies Record<string, SessionDto>;

export const syncedStatus: SyncStatusDto = {
  online: true,
  pending: 0,
  needsAttention: 0,
  lastError: null,
  lastSync: "2026-11-26T22:50:00Z",
};
