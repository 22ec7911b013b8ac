import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { commands } from "../../ipc/bindings.ts";
import { useLiveInvalidation } from "../../ipc/live.ts";
import { emit, err, ok } from "../../test/desk.ts";
import { renderWithClient, syncedStatus } from "../../test/render.tsx";
import { SyncStatusBar } from "./SyncStatusBar.tsx";

vi.mock("../../ipc/bindings.ts", async () => (await import("../../test/desk.ts")).mockBindings());

function LiveStatusBar() {
  useLiveInvalidation();
  return <SyncStatusBar />;
}

describe("SyncStatusBar", () => {
  it("shows online and the outbox, then follows the sync-status event", async () => {
    vi.mocked(commands.getSyncStatus).mockResolvedValue(ok(syncedStatus));
    renderWithClient(<LiveStatusBar />);

    expect(await screen.findByTestId("status-online")).toHaveTextContent("Online");
    expect(screen.getByTestId("status-pending")).toHaveTextContent("All changes synced");
    expect(screen.getByTestId("status-last-sync")).toHaveTextContent("Last sync");

    await waitFor(() => {
      emit("sync-status-changed", {
        status: {
          ...syncedStatus,
          online: false,
          pending: 3,
          needsAttention: 1,
          lastError: "connection refused",
          lastSync: null,
        },
      });
      expect(screen.getByTestId("status-online")).toHaveTextContent("Offline");
    });
    expect(screen.getByTestId("status-pending")).toHaveTextContent("3 changes await sync");
    expect(screen.getByTestId("status-attention")).toHaveTextContent("1 needs attention");
    expect(screen.getByTestId("status-last-error")).toHaveTextContent("connection refused");
    expect(screen.getByTestId("status-last-sync")).toHaveTextContent("Never synced");
    expect(commands.getSyncStatus).toHaveBeenCalledTimes(1);
  });

  it("runs Sync now and says when it fails", async () => {
    const user = userEvent.setup();
    vi.mocked(commands.getSyncStatus).mockResolvedValue(ok(syncedStatus));
    vi.mocked(commands.syncNow).mockResolvedValue(err("offline", "The server cannot be reached."));
    renderWithClient(<SyncStatusBar />);

    await user.click(await screen.findByTestId("status-sync-now"));

    expect(commands.syncNow).toHaveBeenCalledOnce();
    expect(await screen.findByTestId("status-sync-error")).toHaveTextContent(
      "Sync failed: The server cannot be reached.",
    );
  });

  it("says when the status cannot be read", async () => {
    vi.mocked(commands.getSyncStatus).mockResolvedValue(err("notSignedIn", "No one is signed in."));
    renderWithClient(<SyncStatusBar />);

    expect(await screen.findByTestId("status-error")).toHaveTextContent("No one is signed in.");
  });
});
