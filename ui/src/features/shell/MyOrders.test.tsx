import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { commands, type OrderRowDto } from "../../ipc/bindings.ts";
import { err, ok } from "../../test/desk.ts";
import { renderWithClient } from "../../test/render.tsx";
import { MyOrders } from "./MyOrders.tsx";

vi.mock("../../ipc/bindings.ts", async () => (await import("../../test/desk.ts")).mockBindings());

function order(id: string, patch: Partial<OrderRowDto> = {}): OrderRowDto {
  return {
    id,
    serverId: null,
    state: "acknowledged",
    syncStatus: "awaitingSync",
    syncError: null,
    customerId: "CUST-1",
    customerName: "Jansen Installatie",
    address: "Stationsstraat 1, Utrecht",
    orderDate: "2026-11-26T21:00:00Z",
    priority: "4",
    items: 2,
    version: 1,
    serverVersion: null,
    lastError: null,
    updatedAt: "2026-11-26T21:05:00Z",
    ...patch,
  };
}

describe("MyOrders", () => {
  it("lists orders with their state and sync status, and opens one", async () => {
    const user = userEvent.setup();
    vi.mocked(commands.listOrders).mockResolvedValue(
      ok({ items: [order("L-1"), order("L-2", { serverId: "PO-9", state: "held", syncStatus: "synced" })], total: 2 }),
    );
    const onOpenOrder = vi.fn();
    renderWithClient(<MyOrders onOpenOrder={onOpenOrder} />);

    const row = await screen.findByTestId("order-row-L-2");
    expect(row).toHaveTextContent("PO-9");
    expect(row).toHaveTextContent("held");
    expect(screen.getByTestId("order-row-L-1")).toHaveTextContent("awaiting sync");
    expect(screen.getByTestId("orders-count")).toHaveTextContent("1–2 of 2");

    await user.click(row);
    expect(onOpenOrder).toHaveBeenCalledExactlyOnceWith("L-2");
  });

  it("filters by state through the desk", async () => {
    const user = userEvent.setup();
    vi.mocked(commands.listOrders).mockResolvedValue(ok({ items: [], total: 0 }));
    renderWithClient(<MyOrders onOpenOrder={vi.fn()} />);

    expect(await screen.findByTestId("orders-empty")).toHaveTextContent("No orders on this desk yet");
    await user.selectOptions(screen.getByTestId("orders-filter-state"), "held");

    expect(commands.listOrders).toHaveBeenLastCalledWith({
      state: "held",
      syncStatus: null,
      oldestFirst: null,
      offset: 0,
      limit: 100,
    });
    expect(await screen.findByText("No order matches these filters.")).toBeInTheDocument();
  });

  it("says when the orders cannot be read", async () => {
    vi.mocked(commands.listOrders).mockResolvedValue(err("storage", "The local store is locked."));
    renderWithClient(<MyOrders onOpenOrder={vi.fn()} />);

    expect(await screen.findByTestId("orders-error")).toHaveTextContent("The local store is locked.");
  });
});
