import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { commands, type OrderRowDto } from "../../ipc/bindings.ts";
import { screensFor } from "../../ipc/navigation.ts";
import { err, ok } from "../../test/desk.ts";
import { renderWithClient, sessions } from "../../test/render.tsx";
import { CommandPalette } from "./CommandPalette.tsx";

vi.mock("../../ipc/bindings.ts", async () => (await import("../../test/desk.ts")).mockBindings());

const row: OrderRowDto = {
  id: "L-17",
  serverId: "PO-1717",
  state: "inProgress",
  syncStatus: "synced",
  syncError: null,
  customerId: "CUST-9",
  customerName: "Meijer Logistiek",
  address: "Kanaalweg 4, Utrecht",
  orderDate: "2026-11-26T09:00:00Z",
  priority: "4",
  items: 1,
  version: 3,
  serverVersion: 3,
  lastError: null,
  updatedAt: "2026-11-26T10:00:00Z",
};

function renderPalette() {
  const props = {
    screens: screensFor(sessions.backoffice.rights),
    actions: [
      { id: "sync-now", label: "Sync now", run: vi.fn() },
      { id: "sign-out", label: "Sign out", run: vi.fn() },
    ],
    onGo: vi.fn(),
    onOpenOrder: vi.fn(),
    onClose: vi.fn(),
  };
  renderWithClient(<CommandPalette {...props} />);
  return props;
}

describe("CommandPalette", () => {
  it("jumps to a screen with the arrows and Enter", async () => {
    const user = userEvent.setup();
    const props = renderPalette();

    expect(screen.getByTestId("palette-input")).toHaveFocus();
    await user.keyboard("{ArrowDown}{ArrowDown}");
    expect(screen.getByTestId("palette-item-screen-queue")).toHaveAttribute("aria-selected", "true");
    await user.keyboard("{Enter}");

    expect(props.onGo).toHaveBeenCalledExactlyOnceWith("queue");
    expect(props.onClose).toHaveBeenCalledOnce();
  });

  it("filters screens and actions by the words typed, and runs an action", async () => {
    const user = userEvent.setup();
    vi.mocked(commands.searchOrders).mockResolvedValue(ok([]));
    const props = renderPalette();

    await user.type(screen.getByTestId("palette-input"), "sync");
    expect(screen.queryByTestId("palette-item-screen-queue")).not.toBeInTheDocument();
    expect(screen.getByTestId("palette-item-action-sync-now")).toHaveAttribute("aria-selected", "true");
    await user.keyboard("{Enter}");

    expect(props.actions[0]?.run).toHaveBeenCalledOnce();
    expect(props.actions[1]?.run).not.toHaveBeenCalled();
  });

  it("searches orders and opens the one chosen", async () => {
    const user = userEvent.setup();
    vi.mocked(commands.searchOrders).mockResolvedValue(ok([row]));
    const props = renderPalette();

    await user.type(screen.getByTestId("palette-input"), "meijer");
    const item = await screen.findByTestId("palette-item-order-L-17");
    expect(item).toHaveTextContent("PO-1717 · Meijer Logistiek");
    expect(commands.searchOrders).toHaveBeenLastCalledWith("meijer");
    await user.keyboard("{ArrowDown}");
    expect(item).toHaveAttribute("aria-selected", "true");
    await user.keyboard("{Enter}");

    expect(props.onOpenOrder).toHaveBeenCalledExactlyOnceWith("L-17");
  });

  it("says when the order search fails, and closes on Esc", async () => {
    const user = userEvent.setup();
    vi.mocked(commands.searchOrders).mockResolvedValue(err("storage", "The search index is being rebuilt."));
    const props = renderPalette();

    await user.type(screen.getByTestId("palette-input"), "PO-12");
    await waitFor(() => {
      expect(screen.getByTestId("palette-status")).toHaveTextContent(
        "Order search failed: The search index is being rebuilt.",
      );
    });
    await user.keyboard("{Escape}");
    expect(props.onClose).toHaveBeenCalledOnce();
  });
});
