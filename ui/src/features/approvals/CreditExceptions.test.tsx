import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { commands, type CreditExceptionDto } from "../../ipc/bindings.ts";
import { err, ok } from "../../test/desk.ts";
import { queueEntry } from "../../test/queue.ts";
import { renderWithClient, sessions } from "../../test/render.tsx";
import { CreditExceptions } from "./CreditExceptions.tsx";

vi.mock("../../ipc/bindings.ts", async () => (await import("../../test/desk.ts")).mockBindings());

const me = sessions.supervisor;
const eur = (amount: string) => ({ amount, currency: "EUR" });

function exception(orderId: string, patch: Partial<CreditExceptionDto> = {}): CreditExceptionDto {
  return {
    entry: queueEntry(orderId, {
      queue: "creditReferral",
      customerName: "Visser Bouw",
      reason: "credit referral",
      reasons: [{ code: "CREDIT_REFER", message: "Score 480 is below 500." }],
    }),
    queue: "creditReferral",
    figures: {
      score: 480,
      checkedAt: "2026-11-20T09:00:00Z",
      monthlyExposure: eur("120.00"),
      exposureLimit: eur("200.00"),
      arrears: eur("0.00"),
      chargesAdded: eur("95.00"),
      chargesRemoved: null,
      exposureAfter: eur("215.00"),
      withinLimit: false,
    },
    ...patch,
  };
}

const held = (e: CreditExceptionDto) => ({
  ...e.entry,
  claimedBy: me.userId,
  claimedUntil: "2099-01-01T00:00:00Z",
});

describe("CreditExceptions", () => {
  it("shows the credit figures and the exposure the order adds", async () => {
    const user = userEvent.setup();
    vi.mocked(commands.listCreditExceptions).mockResolvedValue(ok([exception("PO-1")]));
    renderWithClient(<CreditExceptions session={me} onOpenOrder={vi.fn()} />);

    const row = await screen.findByTestId("credit-row-PO-1");
    expect(row).toHaveTextContent("480");
    expect(row).toHaveTextContent("215.00 EUR");
    expect(row).toHaveTextContent("over limit");
    expect(commands.listCreditExceptions).toHaveBeenCalledWith(null);

    await user.click(row);
    const figures = within(screen.getByTestId("credit-panel")).getByTestId("credit-figures");
    expect(figures).toHaveTextContent("Charges added95.00 EUR");
    expect(figures).toHaveTextContent("Exposure limit200.00 EUR");
    expect(screen.getByTestId("credit-approve")).toBeDisabled();
  });

  it("claims, then approves with the reason typed", async () => {
    const user = userEvent.setup();
    const e = exception("PO-2");
    vi.mocked(commands.listCreditExceptions).mockResolvedValue(ok([e]));
    vi.mocked(commands.claimEntry).mockResolvedValue(ok(held(e)));
    vi.mocked(commands.approveCredit).mockResolvedValue(ok(null));
    renderWithClient(<CreditExceptions session={me} onOpenOrder={vi.fn()} />);

    await user.click(await screen.findByTestId("credit-row-PO-2"));
    await user.click(screen.getByTestId("credit-claim"));
    await waitFor(() => {
      expect(screen.getByTestId("credit-approve")).toBeEnabled();
    });
    await user.click(screen.getByTestId("credit-approve"));
    expect(screen.getByTestId("credit-submit")).toBeDisabled();
    await user.type(screen.getByTestId("credit-reason"), "Long-standing customer, paid on time");
    await user.click(screen.getByTestId("credit-submit"));

    expect(commands.approveCredit).toHaveBeenCalledExactlyOnceWith("PO-2", "Long-standing customer, paid on time");
    await waitFor(() => {
      expect(screen.queryByTestId("credit-form")).not.toBeInTheDocument();
    });
    expect(screen.getByTestId("credit-done")).toHaveTextContent("PO-2: approved");
  });

  it("requires a deposit in EUR by default, with a valid amount", async () => {
    const user = userEvent.setup();
    const e = exception("PO-3");
    vi.mocked(commands.listCreditExceptions).mockResolvedValue(ok([{ ...e, entry: held(e) }]));
    vi.mocked(commands.requireDeposit).mockResolvedValue(ok(null));
    renderWithClient(<CreditExceptions session={me} onOpenOrder={vi.fn()} />);

    await user.click(await screen.findByTestId("credit-row-PO-3"));
    await user.click(screen.getByTestId("credit-deposit"));
    expect(screen.getByTestId("credit-currency")).toHaveValue("EUR");
    await user.type(screen.getByTestId("credit-reason"), "Exposure over limit");
    await user.type(screen.getByTestId("credit-amount"), "abc");
    expect(screen.getByTestId("credit-amount-problem")).toHaveTextContent("Enter an amount above zero");
    expect(screen.getByTestId("credit-submit")).toBeDisabled();
    await user.clear(screen.getByTestId("credit-amount"));
    await user.type(screen.getByTestId("credit-amount"), "285,00");
    await user.click(screen.getByTestId("credit-submit"));

    expect(commands.requireDeposit).toHaveBeenCalledExactlyOnceWith(
      "PO-3",
      { amount: "285.00", currency: "EUR" },
      "Exposure over limit",
    );
    expect(await screen.findByTestId("credit-done")).toHaveTextContent("deposit of 285.00 EUR required");
  });

  it("declines with a reason and shows a refusal from the desk", async () => {
    const user = userEvent.setup();
    const e = exception("PO-4");
    vi.mocked(commands.listCreditExceptions).mockResolvedValue(ok([{ ...e, entry: held(e) }]));
    vi.mocked(commands.declineCredit).mockResolvedValue(err("forbidden", "A backoffice user may not decide credit exceptions."));
    renderWithClient(<CreditExceptions session={me} onOpenOrder={vi.fn()} />);

    await user.click(await screen.findByTestId("credit-row-PO-4"));
    await user.click(screen.getByTestId("credit-decline"));
    await user.type(screen.getByTestId("credit-reason"), "Arrears above policy");
    await user.click(screen.getByTestId("credit-submit"));

    expect(commands.declineCredit).toHaveBeenCalledExactlyOnceWith("PO-4", "Arrears above policy");
    expect(await screen.findByTestId("credit-error")).toHaveTextContent(
      "A backoffice user may not decide credit exceptions. Your role does not allow this.",
    );
  });

  it("says who holds another's claim", async () => {
    const user = userEvent.setup();
    const e = exception("PO-5");
    vi.mocked(commands.listCreditExceptions).mockResolvedValue(
      ok([{ ...e, entry: { ...e.entry, claimedBy: "demo-supervisor-2", claimedUntil: "2099-01-01T00:00:00Z" } }]),
    );
    renderWithClient(<CreditExceptions session={me} onOpenOrder={vi.fn()} />);

    await user.click(await screen.findByTestId("credit-row-PO-5"));
    expect(screen.getByTestId("credit-claim")).toBeDisabled();
    expect(screen.getByTestId("credit-claimed-by")).toHaveTextContent("Claimed by demo-supervisor-2 until");
  });

  it("shows the empty list and a forbidden list", async () => {
    vi.mocked(commands.listCreditExceptions).mockResolvedValue(ok([]));
    const first = renderWithClient(<CreditExceptions session={me} onOpenOrder={vi.fn()} />);
    expect(await screen.findByTestId("credit-empty")).toHaveTextContent("nothing to decide");
    first.unmount();

    vi.mocked(commands.listCreditExceptions).mockResolvedValue(
      err("forbidden", "An agent may not decide credit exceptions."),
    );
    renderWithClient(<CreditExceptions session={sessions.agent} onOpenOrder={vi.fn()} />);
    expect(await screen.findByTestId("credit-list-error")).toHaveTextContent(
      "An agent may not decide credit exceptions. Your role does not allow this.",
    );
  });
});
