import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { commands, type QueueEntryDto, type QueueFilterDto } from "../../ipc/bindings.ts";
import { useLiveInvalidation } from "../../ipc/live.ts";
import { emit, err, ok } from "../../test/desk.ts";
import { queueEntry, syntheticEntries } from "../../test/queue.ts";
import { renderWithClient, sessions } from "../../test/render.tsx";
import { QueueBoard } from "./QueueBoard.tsx";

vi.mock("../../ipc/bindings.ts", async () => (await import("../../test/desk.ts")).mockBindings());

const me = sessions.backoffice;

/** Answers listQueue from `entries` page by page, as the desk does (at most 500 a call). */
function serveQueue(entries: QueueEntryDto[]) {
  vi.mocked(commands.listQueue).mockImplementation((filter: QueueFilterDto) => {
    const offset = filter.offset ?? 0;
    const limit = Math.min(filter.limit ?? 50, 500);
    return Promise.resolve(ok({ items: entries.slice(offset, offset + limit), total: entries.length }));
  });
}

function LiveBoard({ onOpenOrder = vi.fn() }: { onOpenOrder?: (id: string) => void }) {
  useLiveInvalidation();
  return <QueueBoard session={me} onOpenOrder={onOpenOrder} />;
}

const rowIds = () =>
  screen
    .queryAllByTestId(/^queue-row-/)
    .map((row) => row.getAttribute("data-testid")?.replace("queue-row-", ""));

beforeEach(() => {
  // jsdom lays nothing out: give the scrolling body a height so the virtualiser has a window.
  vi.spyOn(HTMLElement.prototype, "clientHeight", "get").mockReturnValue(520);
  vi.spyOn(HTMLElement.prototype, "clientWidth", "get").mockReturnValue(1200);
  vi.mocked(commands.refreshQueue).mockResolvedValue(ok(0));
  vi.mocked(commands.getOrder).mockResolvedValue(err("notFound", "Order not on this desk."));
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe("QueueBoard", () => {
  it("draws only a window of 100,000 entries, and filtering narrows them", async () => {
    const user = userEvent.setup();
    const entries = syntheticEntries(100_000);
    serveQueue(entries);
    renderWithClient(<LiveBoard />);

    expect(await screen.findByTestId("queue-count", {}, { timeout: 10_000 })).toHaveTextContent("100000 entries");
    const drawn = rowIds();
    expect(drawn.length).toBeGreaterThan(10);
    expect(drawn.length).toBeLessThan(60);
    expect(drawn[0]).toBe("PO-000000");
    expect(commands.listQueue).toHaveBeenCalledTimes(200);

    // Scrolled halfway, the window moves: rows near entry 50,000 replace the first ones.
    const body = screen.getByTestId("queue-table");
    body.scrollTop = 26 * 50_000;
    fireEvent.scroll(body);
    await waitFor(() => {
      expect(rowIds()).toContain("PO-050005");
    });
    expect(rowIds()).not.toContain("PO-000000");
    expect(rowIds().length).toBeLessThan(60);
    body.scrollTop = 0;
    fireEvent.scroll(body);

    await user.type(screen.getByTestId("queue-search"), "PO-01234");
    await waitFor(() => {
      expect(screen.getByTestId("queue-count")).toHaveTextContent("10 of 100000 entries");
    });
    expect(rowIds()).toEqual(Array.from({ length: 10 }, (_, i) => `PO-01234${String(i)}`));

    await user.selectOptions(screen.getByTestId("queue-filter-kind"), "jeopardy");
    await waitFor(() => {
      expect(rowIds()).toEqual(["PO-012342", "PO-012346"]);
    });
  }, 30_000);

  it("sorts by a column header, ascending then descending", async () => {
    const user = userEvent.setup();
    serveQueue([
      queueEntry("PO-1", { customerName: "Mulder" }),
      queueEntry("PO-2", { customerName: "Bakker" }),
      queueEntry("PO-3", { customerName: "Visser" }),
    ]);
    renderWithClient(<LiveBoard />);
    await screen.findByTestId("queue-row-PO-1");
    expect(rowIds()).toEqual(["PO-1", "PO-2", "PO-3"]);

    await user.click(screen.getByTestId("queue-sort-customer"));
    expect(rowIds()).toEqual(["PO-2", "PO-1", "PO-3"]);
    expect(screen.getByTestId("queue-sort-customer")).toHaveAttribute("aria-sort", "ascending");
    await user.click(screen.getByTestId("queue-sort-customer"));
    expect(rowIds()).toEqual(["PO-3", "PO-1", "PO-2"]);
  });

  it("claims, shows a forbidden answer, then resolves once the claim is held", async () => {
    const user = userEvent.setup();
    const onOpenOrder = vi.fn();
    const entry = queueEntry("PO-7", { customerName: "Smit", slaDue: "2020-01-01T00:00:00Z" });
    serveQueue([entry]);
    renderWithClient(<LiveBoard onOpenOrder={onOpenOrder} />);

    await user.click(await screen.findByTestId("queue-row-PO-7"));
    const panel = screen.getByTestId("queue-panel");
    expect(within(panel).getByTestId("queue-reasons")).toHaveTextContent("ADDRESS_NOT_SERVICEABLE No fibre at this address.");
    expect(within(panel).getByTestId("queue-resolve")).toBeDisabled();
    expect(within(panel).getByTestId("queue-needs-claim")).toHaveTextContent("Claim this entry");
    expect(screen.getByTestId("queue-row-PO-7")).toHaveTextContent("overdue");
    expect(screen.getByTestId("queue-row-PO-7")).toHaveClass("row-overdue");

    vi.mocked(commands.claimEntry).mockResolvedValueOnce(
      err("forbidden", "A backoffice user may not decide credit exceptions."),
    );
    await user.click(within(panel).getByTestId("queue-claim"));
    expect(await within(panel).findByTestId("queue-action-error")).toHaveTextContent(
      "A backoffice user may not decide credit exceptions. Your role does not allow this.",
    );

    const claimed = { ...entry, claimedBy: me.userId, claimedUntil: "2099-01-01T00:15:00Z" };
    vi.mocked(commands.claimEntry).mockResolvedValueOnce(ok(claimed));
    await user.keyboard("c");
    expect(commands.claimEntry).toHaveBeenLastCalledWith("PO-7", null);
    await waitFor(() => {
      expect(within(panel).getByTestId("queue-claim-state")).toHaveTextContent("You hold it");
    });
    expect(within(panel).queryByTestId("queue-action-error")).not.toBeInTheDocument();
    // Enter on a focused panel button is the button's, not the board's "open the order".
    within(panel).getByTestId("queue-release").focus();
    vi.mocked(commands.releaseEntry).mockResolvedValueOnce(ok(entry));
    await user.keyboard("{Enter}");
    expect(commands.releaseEntry).toHaveBeenCalledOnce();
    expect(onOpenOrder).not.toHaveBeenCalled();
    await waitFor(() => {
      expect(within(panel).getByTestId("queue-claim-state")).toHaveTextContent("Not claimed");
    });
    vi.mocked(commands.claimEntry).mockResolvedValueOnce(ok(claimed));
    await user.click(within(panel).getByTestId("queue-claim"));
    await waitFor(() => {
      expect(within(panel).getByTestId("queue-claim-state")).toHaveTextContent("You hold it");
    });
    expect(screen.getByTestId("queue-row-PO-7")).toHaveTextContent("you");

    vi.mocked(commands.resolveEntry).mockResolvedValue(ok(null));
    await user.click(within(panel).getByTestId("queue-resolve"));
    expect(screen.getByTestId("queue-resolve-form-submit")).toBeDisabled();
    await user.type(screen.getByTestId("queue-resolve-form-reason"), "Fibre confirmed by field check");
    await user.click(screen.getByTestId("queue-resolve-form-submit"));
    expect(commands.resolveEntry).toHaveBeenCalledExactlyOnceWith("PO-7", "Fibre confirmed by field check", null);
    expect(await screen.findByTestId("queue-done")).toHaveTextContent("PO-7: hold resolved");
  });

  it("says who holds another's claim and keeps the actions closed", async () => {
    const user = userEvent.setup();
    serveQueue([queueEntry("PO-8", { claimedBy: "demo-supervisor-1", claimedUntil: "2099-01-01T00:00:00Z" })]);
    renderWithClient(<LiveBoard />);

    await user.click(await screen.findByTestId("queue-row-PO-8"));
    expect(screen.getByTestId("queue-claim")).toBeDisabled();
    expect(screen.getByTestId("queue-cancel")).toBeDisabled();
    expect(screen.getByTestId("queue-needs-claim")).toHaveTextContent("Claimed by demo-supervisor-1 until");
  });

  it("rejects only with a reason, confirmed in a dialog", async () => {
    const user = userEvent.setup();
    serveQueue([queueEntry("PO-9", { claimedBy: me.userId, claimedUntil: "2099-01-01T00:00:00Z" })]);
    vi.mocked(commands.rejectEntry).mockResolvedValueOnce(err("claimRequired", "The claim has expired."));
    renderWithClient(<LiveBoard />);

    await user.click(await screen.findByTestId("queue-row-PO-9"));
    await user.click(screen.getByTestId("queue-reject"));
    const dialog = screen.getByTestId("reason-dialog");
    expect(within(dialog).getByTestId("reason-dialog-confirm")).toBeDisabled();
    await user.type(within(dialog).getByTestId("reason-dialog-input"), "Customer withdrew{Enter}");

    expect(commands.rejectEntry).toHaveBeenCalledExactlyOnceWith("PO-9", "Customer withdrew");
    expect(await within(dialog).findByTestId("reason-dialog-error")).toHaveTextContent(
      "The claim has expired. Claim the entry first",
    );
    await user.keyboard("{Escape}");
    expect(screen.queryByTestId("reason-dialog")).not.toBeInTheDocument();
  });

  it("keeps the mirrored queue when refresh fails, and follows queue-changed", async () => {
    vi.mocked(commands.refreshQueue).mockResolvedValue(err("offline", "The server cannot be reached."));
    serveQueue([queueEntry("PO-1")]);
    renderWithClient(<LiveBoard />);

    expect(await screen.findByTestId("queue-refresh-error")).toHaveTextContent("as last mirrored");
    expect(await screen.findByTestId("queue-row-PO-1")).toBeInTheDocument();

    serveQueue([queueEntry("PO-1"), queueEntry("PO-2")]);
    emit("queue-changed", {});
    expect(await screen.findByTestId("queue-row-PO-2")).toBeInTheDocument();
  });

  it("says when the queue is empty, and when it cannot be read", async () => {
    serveQueue([]);
    const first = renderWithClient(<LiveBoard />);
    expect(await screen.findByTestId("queue-empty")).toHaveTextContent("The queues are empty");
    first.unmount();

    vi.mocked(commands.listQueue).mockResolvedValue(err("forbidden", "An agent may not work the queues."));
    renderWithClient(<LiveBoard />);
    expect(await screen.findByTestId("queue-error")).toHaveTextContent("An agent may not work the queues.");
  });
});
