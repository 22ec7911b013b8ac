import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";

import {
  commands,
  type OrderDetailDto,
  type OrderProgressDto,
  type OrderRowDto,
  type SessionDto,
} from "../../ipc/bindings.ts";
import { useLiveInvalidation } from "../../ipc/live.ts";
import { emit, err, ok } from "../../test/desk.ts";
import { renderWithClient, sessions } from "../../test/render.tsx";
import { OrderScreen } from "./OrderScreen.tsx";

vi.mock("../../ipc/bindings.ts", async () => (await import("../../test/desk.ts")).mockBindings());

function row(partial: Partial<OrderRowDto> = {}): OrderRowDto {
  return {
    id: "L-order-7",
    serverId: "PO-000123",
    state: "inProgress",
    syncStatus: "synced",
    syncError: null,
    customerId: "CUST-1001",
    customerName: "Resident 1001",
    address: "Damrak 1, 1012 LG Amsterdam",
    orderDate: "2026-11-26T09:05:00Z",
    priority: "4",
    items: 2,
    version: 4,
    serverVersion: 4,
    lastError: null,
    updatedAt: "2026-11-26T09:20:00Z",
    ...partial,
  };
}

function detail(partial: Partial<OrderDetailDto> = {}): OrderDetailDto {
  return {
    row: row(),
    content: {
      id: "L-order-7",
      customerId: "CUST-1001",
      quoteId: "QT-CREDIT-DEPOSIT",
      channel: "desk",
      description: null,
      category: "residential",
      priority: "4",
      orderDate: "2026-11-26T09:05:00Z",
      requestedStartDate: null,
      requestedCompletionDate: null,
      billingAccountId: "BA-1001",
      paymentMethodId: null,
      paymentHolderName: null,
      externalIds: [],
      relatedParties: [],
      createdBy: "U-AGENT-1",
      items: [
        {
          id: "1",
          action: "add",
          quantity: 1,
          offeringId: "PO-SF200-HOME",
          productId: null,
          placeId: "ADDR-AMS-0001",
          characteristics: [{ name: "downloadSpeed", value: "200", kind: "number" }],
          relationships: [],
          appointment: null,
          price: null,
          state: "inProgress",
        },
        {
          id: "2",
          action: "add",
          quantity: 1,
          offeringId: "PO-IPTV",
          productId: null,
          placeId: "ADDR-AMS-0001",
          characteristics: [{ name: "tvPackage", value: "plus", kind: "text" }],
          relationships: [],
          appointment: null,
          price: null,
          state: "inProgress",
        },
      ],
      state: "inProgress",
    },
    stateReason: null,
    messages: [],
    notes: [{ author: "system", at: "2026-11-26T09:06:00Z", text: "Validated: accepted" }],
    conflict: null,
    ...partial,
  };
}

function progress(fibreState: string, partial: Partial<OrderProgressDto> = {}): OrderProgressDto {
  return {
    orderId: "L-order-7",
    serverId: "PO-000123",
    state: "inProgress",
    items: [
      {
        itemId: "1",
        action: "add",
        offeringId: "PO-SF200-HOME",
        offeringName: "SuperFibre 200 Home",
        state: fibreState,
        serviceItems: [
          {
            id: "SOI-1",
            serviceOrderId: "SO-77",
            cfs: "CFS-FTTH-ACCESS",
            action: "add",
            state: fibreState,
            pointOfNoReturn: true,
            errorMessage: null,
          },
        ],
      },
      {
        itemId: "2",
        action: "add",
        offeringId: "PO-IPTV",
        offeringName: "IPTV",
        state: "inProgress",
        serviceItems: [
          {
            id: "SOI-2",
            serviceOrderId: "SO-77",
            cfs: "CFS-IPTV",
            action: "add",
            state: "inProgress",
            pointOfNoReturn: false,
            errorMessage: null,
          },
        ],
      },
    ],
    milestones: [
      {
        id: "M-1",
        name: "pointOfNoReturn",
        description: "Fibre spliced at the exchange",
        status: "completed",
        date: "2026-11-26T09:15:00Z",
        itemIds: ["1"],
      },
    ],
    jeopardyAlerts: [],
    timeline: [
      { at: "2026-11-26T09:05:00Z", kind: "created", title: "Order created", detail: null, by: "Demo Agent 1" },
      { at: "2026-11-26T09:06:00Z", kind: "state", title: "Accepted", detail: "All checks passed", by: "system" },
    ],
    cancellation: null,
    fetchedAt: "2026-11-26T09:20:00Z",
    ...partial,
  };
}

const getOrderProgress = vi.mocked(commands.getOrderProgress);

function Live() {
  useLiveInvalidation();
  return null;
}

function renderOrder(session: SessionDto = sessions.agent) {
  const onBack = vi.fn();
  renderWithClient(
    <>
      <Live />
      <OrderScreen session={session} orderId="L-order-7" onBack={onBack} />
    </>,
  );
  return { onBack };
}

beforeEach(() => {
  vi.mocked(commands.getOrder).mockResolvedValue(ok(detail()));
});

describe("OrderScreen", { timeout: 20_000 }, () => {
  it("shows items with their service items and follows the order when it changes", async () => {
    getOrderProgress.mockResolvedValue(ok(progress("inProgress")));
    renderOrder();

    expect(await screen.findByTestId("order-state")).toHaveTextContent("inProgress");
    expect(screen.getByTestId("sync-status")).toHaveTextContent("Synced");
    expect(await screen.findByTestId("item-state-1")).toHaveTextContent("inProgress");
    expect(screen.getByTestId("item-1")).toHaveTextContent("SuperFibre 200 Home");
    expect(screen.getByTestId("item-1")).toHaveTextContent("past PONR");
    expect(screen.getByTestId("requested-1")).toHaveTextContent("downloadSpeed 200 · at ADDR-AMS-0001");
    expect(screen.getByTestId("service-state-SOI-1")).toHaveTextContent("inProgress");
    expect(screen.getByTestId("service-item-SOI-1")).toHaveTextContent("CFS-FTTH-ACCESS");
    expect(screen.getByTestId("milestones")).toHaveTextContent("Fibre spliced at the exchange");
    expect(screen.getByTestId("timeline")).toHaveTextContent("Order created");
    expect(getOrderProgress).toHaveBeenCalledWith("L-order-7");

    // The SOM completes the fibre; the desk says the order changed; the screen reads it again.
    getOrderProgress.mockResolvedValue(ok(progress("completed")));
    vi.mocked(commands.getOrder).mockResolvedValue(
      ok(detail({ row: row({ state: "inProgress", version: 5, serverVersion: 5 }) })),
    );
    emit("order-changed", { orderId: "L-order-7", serverId: "PO-000123" });

    await waitFor(() => {
      expect(screen.getByTestId("item-state-1")).toHaveTextContent("completed");
    });
    expect(screen.getByTestId("service-state-SOI-1")).toHaveTextContent("completed");
    expect(getOrderProgress).toHaveBeenCalledTimes(2);
  });

  it("falls back to the desk's own item states when progress cannot be read", async () => {
    getOrderProgress.mockResolvedValue(err("offline", "reading progress needs the server, which cannot be reached"));
    renderOrder();
    expect(await screen.findByTestId("progress-unavailable")).toHaveTextContent("cannot be reached");
    expect(screen.getByTestId("item-state-2")).toHaveTextContent("inProgress");
  });

  it("says when the server rejected the desk's change, with its reason", async () => {
    getOrderProgress.mockResolvedValue(ok(progress("inProgress", { fetchedAt: null })));
    vi.mocked(commands.getOrder).mockResolvedValue(
      ok(
        detail({
          row: row({ syncStatus: "rejected", syncError: "422 pastPointOfNoReturn: item 1 is past its point of no return" }),
        }),
      ),
    );
    renderOrder();
    expect(await screen.findByTestId("sync-error")).toHaveTextContent("item 1 is past its point of no return");
    expect(screen.getByTestId("sync-status")).toHaveTextContent("Rejected by the server");
    expect(await screen.findByTestId("progress-offline")).toBeInTheDocument();
  });

  function inConflict() {
    vi.mocked(commands.getOrder).mockResolvedValue(
      ok(
        detail({
          row: row({ syncStatus: "conflict", serverVersion: 6 }),
          conflict: {
            serverVersion: 6,
            serverState: "held",
            changes: [
              { path: "productOrderItem[1].product.productCharacteristic.downloadSpeed", before: "500", after: "200" },
            ],
            itemsAdded: [],
            itemsRemoved: ["2"],
          },
        }),
      ),
    );
  }

  it("shows a conflict and resolves it by taking the server's copy", async () => {
    const user = userEvent.setup();
    getOrderProgress.mockResolvedValue(ok(progress("inProgress")));
    inConflict();
    vi.mocked(commands.acceptServerCopy).mockResolvedValue(ok(row({ state: "held", version: 6 })));
    renderOrder();

    const conflict = await screen.findByTestId("conflict");
    expect(within(conflict).getByTestId("conflict-changes")).toHaveTextContent("500");
    expect(within(conflict).getByTestId("conflict-changes")).toHaveTextContent("removed on the server");
    expect(screen.getByTestId("cancel-order")).toBeDisabled();

    vi.mocked(commands.getOrder).mockResolvedValue(ok(detail({ row: row({ state: "held", version: 6 }) })));
    await user.click(within(conflict).getByTestId("accept-server-copy"));
    expect(commands.acceptServerCopy).toHaveBeenCalledWith("L-order-7");
    await waitFor(() => {
      expect(screen.queryByTestId("conflict")).not.toBeInTheDocument();
    });
    expect(screen.getByTestId("order-state")).toHaveTextContent("held");
  });

  it("resolves a conflict by keeping this desk's change, and says when that fails", async () => {
    const user = userEvent.setup();
    getOrderProgress.mockResolvedValue(ok(progress("inProgress")));
    inConflict();
    vi.mocked(commands.keepLocalChange).mockResolvedValueOnce(
      err("offline", "keeping a local change needs the server, which cannot be reached"),
    );
    renderOrder();

    await user.click(await screen.findByTestId("keep-local-change"));
    expect(await screen.findByTestId("conflict-error")).toHaveTextContent("cannot be reached");
    expect(commands.acceptServerCopy).not.toHaveBeenCalled();

    vi.mocked(commands.keepLocalChange).mockResolvedValueOnce(ok(row({ syncStatus: "awaitingSync", version: 7 })));
    vi.mocked(commands.getOrder).mockResolvedValue(
      ok(detail({ row: row({ syncStatus: "awaitingSync", version: 7, serverVersion: 6 }) })),
    );
    await user.click(screen.getByTestId("keep-local-change"));
    expect(commands.keepLocalChange).toHaveBeenLastCalledWith("L-order-7");
    await waitFor(() => {
      expect(screen.queryByTestId("conflict")).not.toBeInTheDocument();
    });
    expect(screen.getByTestId("sync-status")).toHaveTextContent("Awaiting sync");
    expect(screen.getByTestId("order-notice")).toHaveTextContent("kept and sent again");
  });

  it("cancels only with a reason and shows what could not be reversed", async () => {
    const user = userEvent.setup();
    getOrderProgress.mockResolvedValue(ok(progress("inProgress")));
    vi.mocked(commands.cancelOrder).mockResolvedValue(ok(row({ state: "assessingCancellation" })));
    renderOrder();

    await user.click(await screen.findByTestId("cancel-order"));
    const confirm = screen.getByTestId("confirm-cancel");
    expect(confirm).toBeDisabled();
    await user.type(screen.getByTestId("cancel-reason"), "   ");
    expect(confirm).toBeDisabled();
    await user.type(screen.getByTestId("cancel-reason"), "Customer moves abroad");

    getOrderProgress.mockResolvedValue(
      ok(
        progress("completed", {
          state: "pendingCancellation",
          cancellation: {
            state: "terminatedWithError",
            reason: "Customer moves abroad",
            requestedAt: "2026-11-26T09:30:00Z",
            reversed: ["2"],
            notReversed: [{ itemId: "1", reason: "past the point of no return" }],
          },
        }),
      ),
    );
    vi.mocked(commands.getOrder).mockResolvedValue(ok(detail({ row: row({ state: "pendingCancellation" }) })));
    await user.click(confirm);

    expect(commands.cancelOrder).toHaveBeenCalledWith("L-order-7", "Customer moves abroad");
    expect(await screen.findByTestId("not-reversed-1")).toHaveTextContent("past the point of no return");
    expect(screen.getByTestId("cancel-reversed")).toHaveTextContent("Reversed: 2");
    expect(screen.getByTestId("order-state")).toHaveTextContent("pendingCancellation");
    expect(screen.getByTestId("cancel-order")).toBeDisabled();
  });

  it("amends a characteristic with a reason, leaving items past PONR locked", async () => {
    const user = userEvent.setup();
    getOrderProgress.mockResolvedValue(ok(progress("inProgress")));
    vi.mocked(commands.amendOrder).mockResolvedValue(ok(row({ version: 5 })));
    renderOrder();

    await screen.findByTestId("service-item-SOI-1");
    await user.click(screen.getByTestId("amend-order"));
    expect(screen.getByTestId("amend-item-1")).toBeDisabled();
    expect(screen.getByTestId("amend-item-1")).toHaveTextContent("point of no return");
    expect(screen.getByTestId("amend-remove-1")).toBeDisabled();
    const tv = screen.getByTestId("amend-char-2-tvPackage");
    await user.clear(tv);
    await user.type(tv, "premium");
    expect(screen.getByTestId("confirm-amend")).toBeDisabled();
    await user.type(screen.getByTestId("amend-reason"), "Customer wants the sports channels");
    await user.click(screen.getByTestId("confirm-amend"));

    expect(commands.amendOrder).toHaveBeenCalledWith(
      "L-order-7",
      expect.objectContaining({
        items: [
          expect.objectContaining({ id: "1" }),
          expect.objectContaining({ id: "2", characteristics: [{ name: "tvPackage", value: "premium", kind: "text" }] }),
        ],
      }),
      "Customer wants the sports channels",
    );
    expect(await screen.findByTestId("order-notice")).toHaveTextContent("Amendment recorded");
  });

  it("removes an item in an amendment, never the last one", async () => {
    const user = userEvent.setup();
    getOrderProgress.mockResolvedValue(ok(progress("acknowledged")));
    vi.mocked(commands.amendOrder).mockResolvedValue(ok(row({ version: 5 })));
    renderOrder();

    await screen.findByTestId("service-item-SOI-1");
    await user.click(screen.getByTestId("amend-order"));
    await user.click(screen.getByTestId("amend-remove-2"));
    expect(screen.getByTestId("amend-item-2")).toHaveTextContent("will be removed");
    expect(screen.getByTestId("amend-remove-1")).toBeDisabled();
    await user.type(screen.getByTestId("amend-reason"), "Customer keeps the old TV box");
    await user.click(screen.getByTestId("confirm-amend"));

    expect(commands.amendOrder).toHaveBeenCalledWith(
      "L-order-7",
      expect.objectContaining({ items: [expect.objectContaining({ id: "1" })] }),
      "Customer keeps the old TV box",
    );
  });

  it("adds a note", async () => {
    const user = userEvent.setup();
    getOrderProgress.mockResolvedValue(ok(progress("inProgress")));
    vi.mocked(commands.addOrderNote).mockResolvedValue(
      ok({ author: "Demo Agent 1", at: "2026-11-26T09:40:00Z", text: "Customer called about the date" }),
    );
    renderOrder();
    await user.type(await screen.findByTestId("note-input"), "Customer called about the date");
    vi.mocked(commands.getOrder).mockResolvedValue(
      ok(
        detail({
          notes: [
            { author: "system", at: "2026-11-26T09:06:00Z", text: "Validated: accepted" },
            { author: "Demo Agent 1", at: "2026-11-26T09:40:00Z", text: "Customer called about the date" },
          ],
        }),
      ),
    );
    await user.click(screen.getByTestId("add-note"));
    expect(commands.addOrderNote).toHaveBeenCalledWith("L-order-7", "Customer called about the date");
    await waitFor(() => {
      expect(screen.getAllByTestId("note")).toHaveLength(2);
    });
    expect(screen.getByTestId("note-input")).toHaveValue("");
  });

  it("says what to do when the order cannot be opened", async () => {
    vi.mocked(commands.getOrder).mockResolvedValue(err("notFound", "order `L-order-7` not found"));
    getOrderProgress.mockResolvedValue(err("notFound", "order `L-order-7` not found"));
    renderOrder();
    expect(await screen.findByTestId("order-error")).toHaveTextContent("look it up in the history");
  });
});
