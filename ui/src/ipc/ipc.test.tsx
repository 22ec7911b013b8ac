import { QueryClientProvider, useQuery } from "@tanstack/react-query";
import { render, waitFor } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";

import { commands } from "./bindings.ts";
import { call, DeskError, describeError } from "./call.ts";
import { keys } from "./keys.ts";
import { COALESCE_MS, useLiveInvalidation } from "./live.ts";
import { createQueryClient } from "./queryClient.ts";
import { emit, err, listeners, ok } from "../test/desk.ts";

vi.mock("./bindings.ts", async () => (await import("../test/desk.ts")).mockBindings());

describe("call", () => {
  it("answers the data of a successful command", async () => {
    vi.mocked(commands.refreshQueue).mockResolvedValue(ok(3));
    await expect(call(commands.refreshQueue())).resolves.toBe(3);
  });

  it("throws the desk's error with its code", async () => {
    vi.mocked(commands.refreshQueue).mockResolvedValue(err("offline", "The server cannot be reached."));
    const failure = await call(commands.refreshQueue()).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(DeskError);
    expect((failure as DeskError).code).toBe("offline");
    expect(describeError(failure)).toBe("The server cannot be reached.");
  });

  it("makes an unmocked command fail visibly", async () => {
    const failure = await call(commands.syncNow()).catch((e: unknown) => e);
    expect((failure as DeskError).code).toBe("notMocked");
  });
});

describe("useLiveInvalidation", () => {
  function Live() {
    useLiveInvalidation();
    return null;
  }

  function Reader({ read }: { read: () => Promise<number> }) {
    useQuery({ queryKey: keys.queueList("all"), queryFn: read });
    return null;
  }

  it("puts a pushed sync status into the cache and invalidates orders on a change", async () => {
    const client = createQueryClient();
    client.setQueryData(keys.order("L-1"), { stale: false });
    render(
      <QueryClientProvider client={client}>
        <Live />
      </QueryClientProvider>,
    );
    const status = { online: true, pending: 2, needsAttention: 0, lastError: null, lastSync: null };
    await waitFor(() => {
      emit("sync-status-changed", { status });
      expect(client.getQueryData(keys.syncStatus)).toEqual(status);
    });
    emit("order-changed", { orderId: "L-1", serverId: null });
    await waitFor(() => {
      expect(client.getQueryState(keys.order("L-1"))?.isInvalidated).toBe(true);
    });
  });

  it("re-reads once after a burst of changes, not once per event", async () => {
    const client = createQueryClient();
    const read = vi.fn(() => Promise.resolve(1));
    render(
      <QueryClientProvider client={client}>
        <Live />
        <Reader read={read} />
      </QueryClientProvider>,
    );
    await waitFor(() => {
      expect(read).toHaveBeenCalledTimes(1);
    });
    await waitFor(() => {
      expect(listeners.get("queue-changed")?.size).toBe(1);
    });

    for (let i = 0; i < 100; i += 1) {
      emit(i % 2 === 0 ? "queue-changed" : "order-changed", i % 2 === 0 ? {} : { orderId: `L-${String(i)}`, serverId: null });
    }
    await waitFor(() => {
      expect(read).toHaveBeenCalledTimes(2);
    });
    await new Promise((resolve) => setTimeout(resolve, COALESCE_MS * 3));
    expect(read).toHaveBeenCalledTimes(2);
  });
});
