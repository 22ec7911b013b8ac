import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";

import { commands, type HistoryRowDto, type SessionDto, type VersionDto } from "../../ipc/bindings.ts";
import { err, ok } from "../../test/desk.ts";
import { renderWithClient, sessions } from "../../test/render.tsx";
import { HistoryScreen } from "./HistoryScreen.tsx";

vi.mock("../../ipc/bindings.ts", async () => (await import("../../test/desk.ts")).mockBindings());

function historyRow(n: number, partial: Partial<HistoryRowDto> = {}): HistoryRowDto {
  return {
    orderId: `PO-${String(n).padStart(6, "0")}`,
    localId: null,
    customerId: "CUST-1005",
    customerName: "Resident 1005",
    state: "completed",
    channel: "desk",
    createdBy: "U-AGENT-1",
    orderDate: "2026-11-20T10:00:00Z",
    version: 3,
    items: 1,
    ...partial,
  };
}

const versions: VersionDto[] = [
  { version: 1, at: "2026-11-20T10:00:00Z", byId: "U-AGENT-1", byName: "Demo Agent 1", reason: "created", changeKind: "created", state: "acknowledged" },
  { version: 2, at: "2026-11-20T10:01:00Z", byId: "system", byName: null, reason: "validation passed", changeKind: "stateChange", state: "inProgress" },
  { version: 3, at: "2026-11-21T08:00:00Z", byId: "U-AGENT-1", byName: "Demo Agent 1", reason: "Customer upgrades to 500", changeKind: "amendment", state: "inProgress" },
];

const searchHistory = vi.mocked(commands.searchHistory);

function renderHistory(session: SessionDto = sessions.supervisor) {
  const onOpenOrder = vi.fn();
  renderWithClient(<HistoryScreen session={session} onOpenOrder={onOpenOrder} />);
  return { onOpenOrder };
}

beforeEach(() => {
  vi.mocked(commands.listVersions).mockResolvedValue(ok(versions));
  vi.mocked(commands.getOrderDiff).mockResolvedValue(
    ok({
      from: 1,
      to: 3,
      order: [{ path: "requestedCompletionDate", before: null, after: "2026-12-05T00:00:00Z" }],
      added: ["2"],
      removed: [],
      changed: [
        {
          itemId: "1",
          changes: [{ path: "productOrderItem[1].product.productCharacteristic.downloadSpeed", before: "200", after: "500" }],
        },
      ],
    }),
  );
});

describe("HistoryScreen", { timeout: 20_000 }, () => {
  it("searches, opens an order's versions and shows the diff of two picked versions", async () => {
    const user = userEvent.setup();
    searchHistory.mockResolvedValue(
      ok({ items: [historyRow(1, { localId: "L-order-1" }), historyRow(2, { state: "inProgress" })], total: 2 }),
    );
    const { onOpenOrder } = renderHistory();
    expect(screen.getByTestId("history-start")).toBeInTheDocument();

    await user.type(screen.getByTestId("history-customer"), "CUST-1005");
    await user.type(screen.getByTestId("history-agent"), "U-AGENT-1");
    await user.type(screen.getByTestId("history-channel"), "desk");
    await user.selectOptions(screen.getByTestId("history-state"), "completed");
    await user.click(screen.getByTestId("history-search"));

    expect(await screen.findByTestId("history-row-PO-000001")).toHaveTextContent("Resident 1005");
    expect(searchHistory).toHaveBeenCalledWith({
      customer: "CUST-1005",
      agent: "U-AGENT-1",
      channel: "desk",
      state: "completed",
      from: null,
      to: null,
      offset: 0,
      limit: 50,
    });
    expect(screen.getByTestId("history-count")).toHaveTextContent("1–2 of 2");

    await user.click(screen.getByTestId("history-row-PO-000001"));
    expect(await screen.findByTestId("version-3")).toHaveTextContent("Customer upgrades to 500");
    expect(commands.listVersions).toHaveBeenCalledWith("PO-000001");
    expect(screen.getByTestId("version-2")).toHaveTextContent("system");

    await user.click(screen.getByTestId("version-select-3"));
    expect(commands.getOrderDiff).not.toHaveBeenCalled();
    await user.click(screen.getByTestId("version-select-1"));
    const diff = await screen.findByTestId("diff");
    expect(commands.getOrderDiff).toHaveBeenCalledWith("PO-000001", 1, 3);
    expect(diff).toHaveTextContent("Version 1 → 3");
    expect(within(diff).getByTestId("diff-added")).toHaveTextContent("Items added: 2");
    expect(within(diff).getByTestId("diff-item-1")).toBeInTheDocument();
    expect(diff).toHaveTextContent("productOrderItem[1].product.productCharacteristic.downloadSpeed");
    expect(diff).toHaveTextContent("500");

    await user.click(screen.getByTestId("open-order-PO-000001"));
    expect(onOpenOrder).toHaveBeenCalledWith("L-order-1");

    await user.click(screen.getByTestId("history-row-PO-000002"));
    expect(await screen.findByTestId("not-on-desk")).toBeInTheDocument();
    expect(screen.queryByTestId("open-order-PO-000002")).not.toBeInTheDocument();
  });

  it("pages through the results with the date range as whole days", async () => {
    const user = userEvent.setup();
    searchHistory.mockImplementation((filter) =>
      Promise.resolve(
        ok({
          items: Array.from({ length: filter.offset === 0 ? 50 : 10 }, (_, i) => historyRow((filter.offset ?? 0) + i + 1)),
          total: 60,
        }),
      ),
    );
    renderHistory();
    await user.type(screen.getByTestId("history-from"), "2026-11-01");
    await user.type(screen.getByTestId("history-to"), "2026-11-26");
    await user.click(screen.getByTestId("history-search"));
    expect(await screen.findByTestId("history-count")).toHaveTextContent("1–50 of 60");
    const first = searchHistory.mock.calls[0]?.[0];
    expect(first?.from).not.toBeNull();
    expect(Date.parse(first?.to ?? "") - Date.parse(first?.from ?? "")).toBeGreaterThan(25 * 86_400_000);
    expect(screen.getByTestId("history-prev")).toBeDisabled();

    await user.click(screen.getByTestId("history-next"));
    await waitFor(() => {
      expect(screen.getByTestId("history-count")).toHaveTextContent("51–60 of 60");
    });
    expect(searchHistory).toHaveBeenLastCalledWith(expect.objectContaining({ offset: 50, limit: 50 }));
    expect(screen.getByTestId("history-next")).toBeDisabled();
    expect(screen.getByTestId("history-row-PO-000060")).toBeInTheDocument();
  });

  it("says what to do when the search fails or finds nothing", async () => {
    const user = userEvent.setup();
    searchHistory.mockResolvedValue(err("offline", "reading history needs the server, which cannot be reached"));
    renderHistory();
    await user.click(screen.getByTestId("history-search"));
    expect(await screen.findByTestId("history-error")).toHaveTextContent("search again once the desk is online");

    searchHistory.mockResolvedValue(ok({ items: [], total: 0 }));
    await user.click(within(screen.getByTestId("history-error")).getByRole("button", { name: "Try again" }));
    expect(await screen.findByTestId("history-empty")).toHaveTextContent("No order matches");
  });

  it("is closed to roles without the history right", () => {
    renderHistory({ ...sessions.supervisor, role: "agent", rights: ["useDesk", "captureOrders"] });
    expect(screen.getByTestId("history-forbidden")).toBeInTheDocument();
  });
});
