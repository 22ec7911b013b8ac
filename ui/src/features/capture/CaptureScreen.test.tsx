import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";

import {
  commands,
  type CheckDto,
  type DraftDto,
  type OfferingDto,
  type SessionDto,
  type ValidationDto,
} from "../../ipc/bindings.ts";
import { err, ok } from "../../test/desk.ts";
import { renderWithClient, sessions } from "../../test/render.tsx";
import { CaptureScreen } from "./CaptureScreen.tsx";

vi.mock("../../ipc/bindings.ts", async () => (await import("../../test/desk.ts")).mockBindings());

const offerings: OfferingDto[] = [
  {
    id: "PO-SF200-HOME",
    name: "SuperFibre 200 Home",
    category: "broadband",
    orderable: true,
    monthly: { amount: "49.95", currency: "EUR" },
    oneTime: { amount: "49.95", currency: "EUR" },
    technologies: ["GPON"],
  },
  {
    id: "PO-SF100-CABLE",
    name: "SuperFibre 100 Cable",
    category: "broadband",
    orderable: true,
    monthly: { amount: "44.95", currency: "EUR" },
    oneTime: { amount: "25.00", currency: "EUR" },
    technologies: ["HFC"],
  },
];

/** The draft `createDraftFromQuote("QT-HFC-WRONG-OFFERING")` answers (fixtures/quotes.json). */
function wrongOfferingDraft(): DraftDto {
  return {
    id: "L-order-7",
    customerId: "CUST-1003",
    quoteId: "QT-HFC-WRONG-OFFERING",
    channel: "desk",
    description: "SuperFibre 200 Home (GPON) at a cable-only address",
    category: "residential",
    priority: "4",
    orderDate: "2026-11-26T22:00:00Z",
    requestedStartDate: null,
    requestedCompletionDate: null,
    billingAccountId: "BA-1003",
    paymentMethodId: null,
    paymentHolderName: null,
    externalIds: [],
    relatedParties: [{ id: "CUST-1003", role: "customer", name: "Resident 1003", referredType: "Individual" }],
    createdBy: "U-AGENT-1",
    items: [
      {
        id: "1",
        action: "add",
        quantity: 1,
        offeringId: "PO-SF200-HOME",
        productId: null,
        placeId: "ADDR-UTR-0001",
        characteristics: [
          { name: "downloadSpeed", value: "200", kind: "number" },
          { name: "wifiProfile", value: "standard", kind: "text" },
        ],
        relationships: [],
        appointment: null,
        price: { amount: "49.95", currency: "EUR" },
        state: "draft",
      },
    ],
    state: "draft",
  };
}

function check(partial: Partial<CheckDto> & Pick<CheckDto, "code" | "outcome">): CheckDto {
  return {
    check: "address",
    label: "Address qualification",
    message: "",
    field: null,
    itemId: null,
    suggestion: null,
    suggestedOfferingId: null,
    amount: null,
    ...partial,
  };
}

/** What the desk's pipeline says of the draft: GPON at a cable-only address is rejected. */
function validate(draft: DraftDto): ValidationDto {
  const offering = draft.items[0]?.offeringId;
  if (offering === "PO-SF200-HOME") {
    return {
      outcome: "reject",
      holdQueue: null,
      reasons: ["ADDRESS_TECHNOLOGY_UNAVAILABLE: not available"],
      results: [
        check({ check: "catalog", label: "Catalog", code: "CATALOG_OK", outcome: "pass", message: "Offerings are orderable" }),
        check({
          code: "ADDRESS_TECHNOLOGY_UNAVAILABLE",
          outcome: "reject",
          message: "SuperFibre 200 Home is not available at Oudegracht 1, Utrecht, which is served by HFC",
          field: "productOrderItem[0].productOffering.id",
          itemId: "1",
          suggestion: "HFC available here: SuperFibre 100 Cable",
          suggestedOfferingId: "PO-SF100-CABLE",
        }),
      ],
    };
  }
  return {
    outcome: "pass",
    holdQueue: null,
    reasons: [],
    results: [
      check({ code: "ADDRESS_OK", outcome: "pass", message: "HFC available", field: "productOrderItem[0].product.place[0].id", itemId: "1" }),
    ],
  };
}

function renderCapture(session: SessionDto = sessions.agent) {
  const onOpenOrder = vi.fn();
  renderWithClient(<CaptureScreen session={session} onOpenOrder={onOpenOrder} />);
  return { onOpenOrder };
}

beforeEach(() => {
  vi.mocked(commands.listOfferings).mockResolvedValue(ok(offerings));
  vi.mocked(commands.validateDraft).mockImplementation((draft) => Promise.resolve(ok(validate(draft))));
  vi.mocked(commands.previewDecomposition).mockResolvedValue(
    ok({
      items: [
        {
          id: "preview-1",
          action: "add",
          cfs: "CFS-INTERNET-ACCESS",
          placeId: "ADDR-UTR-0001",
          technology: "HFC",
          characteristics: [],
          fromItems: ["1"],
          dependsOn: [],
          pointOfNoReturn: true,
        },
      ],
      skipped: [],
    }),
  );
  vi.mocked(commands.findQuotes).mockResolvedValue(
    ok([
      {
        id: "QT-HFC-WRONG-OFFERING",
        customerId: "CUST-1003",
        customerName: "Resident 1003",
        description: "SuperFibre 200 Home (GPON) at a cable-only address",
        state: "accepted",
        quoteDate: "2026-11-26T09:00:00Z",
        validUntil: "2027-12-31T23:59:59Z",
        items: 1,
        scenario: "hfc-wrong-offering",
      },
    ]),
  );
  vi.mocked(commands.createDraftFromQuote).mockResolvedValue(ok(wrongOfferingDraft()));
});

describe("CaptureScreen", { timeout: 20_000 }, () => {
  it("takes a quote to a submitted order, with the finding beside the offering and its fix", async () => {
    const user = userEvent.setup();
    vi.mocked(commands.submitDraft).mockImplementation((draft) =>
      Promise.resolve(ok({ orderId: draft.id, validation: validate(draft) })),
    );
    const { onOpenOrder } = renderCapture();
    expect(screen.getByTestId("capture-empty")).toBeInTheDocument();

    await user.type(screen.getByTestId("quote-search"), "Resident 1003");
    await user.click(await screen.findByTestId("quote-QT-HFC-WRONG-OFFERING"));
    expect(commands.findQuotes).toHaveBeenLastCalledWith("Resident 1003");
    await user.click(screen.getByTestId("create-draft"));
    expect(commands.createDraftFromQuote).toHaveBeenCalledWith("QT-HFC-WRONG-OFFERING");

    // The rejection sits in the offering's field, with the suggested offering one click away.
    const offering = await screen.findByTestId("field-offering-1");
    const field = offering.closest(".form-field");
    if (!(field instanceof HTMLElement)) {
      throw new Error("the offering select is not inside a form field");
    }
    const finding = await within(field).findByTestId("check-ADDRESS_TECHNOLOGY_UNAVAILABLE");
    expect(finding).toHaveClass("finding-reject");
    expect(offering).toHaveAttribute("aria-invalid", "true");
    expect(finding).toHaveTextContent("served by HFC");
    expect(finding).toHaveTextContent("HFC available here: SuperFibre 100 Cable");
    expect(screen.getByTestId("validation-outcome")).toHaveTextContent("reject");
    expect(screen.getByTestId("submit")).toBeDisabled();
    expect(await screen.findByTestId("service-item-preview-1")).toHaveTextContent("CFS-INTERNET-ACCESS");

    await user.click(within(field).getByTestId("use-offering-1"));
    expect(offering).toHaveValue("PO-SF100-CABLE");
    await waitFor(() => {
      expect(offering).toHaveAttribute("aria-invalid", "false");
    });
    await waitFor(() => {
      expect(screen.queryByTestId("check-ADDRESS_TECHNOLOGY_UNAVAILABLE")).not.toBeInTheDocument();
    });
    expect(screen.getByTestId("validation-outcome")).toHaveTextContent("pass");
    expect(commands.validateDraft).toHaveBeenLastCalledWith(
      expect.objectContaining({ items: [expect.objectContaining({ offeringId: "PO-SF100-CABLE" })] }),
    );

    await user.click(screen.getByTestId("submit"));
    await waitFor(() => {
      expect(onOpenOrder).toHaveBeenCalledWith("L-order-7");
    });
    expect(commands.submitDraft).toHaveBeenCalledWith(
      expect.objectContaining({ id: "L-order-7", items: [expect.objectContaining({ offeringId: "PO-SF100-CABLE" })] }),
    );
  });

  it("re-validates as the agent types and does not send a characteristic that is not a number", async () => {
    const user = userEvent.setup();
    renderCapture();
    await user.type(screen.getByTestId("quote-search"), "QT-HFC");
    await user.click(await screen.findByTestId("quote-QT-HFC-WRONG-OFFERING"));
    await user.click(screen.getByTestId("create-draft"));
    const speed = await screen.findByTestId("field-char-1-downloadSpeed");
    await screen.findByTestId("check-ADDRESS_TECHNOLOGY_UNAVAILABLE");
    const calls = vi.mocked(commands.validateDraft).mock.calls.length;

    await user.clear(speed);
    await user.type(speed, "fast");
    expect(await screen.findByTestId("form-problem")).toHaveTextContent("Enter a number");
    expect(speed).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByTestId("submit")).toBeDisabled();
    expect(vi.mocked(commands.validateDraft).mock.calls.length).toBe(calls);

    await user.clear(speed);
    await user.type(speed, "100");
    await waitFor(() => {
      expect(commands.validateDraft).toHaveBeenLastCalledWith(
        expect.objectContaining({
          items: [
            expect.objectContaining({
              characteristics: expect.arrayContaining([{ name: "downloadSpeed", value: "100", kind: "number" }]) as unknown,
            }),
          ],
        }),
      );
    });
    expect(screen.queryByTestId("form-problem")).not.toBeInTheDocument();
  });

  it("starts a modify from an installed product and previews only the delta", async () => {
    const user = userEvent.setup();
    vi.mocked(commands.listCustomerProducts).mockResolvedValue(
      ok([
        {
          id: "PRD-2001-BB",
          name: "SuperFibre 200 Home",
          offeringId: "PO-SF200-HOME",
          status: "active",
          live: true,
          placeId: "ADDR-AMS-0002",
          characteristics: [{ name: "downloadSpeed", value: "200", kind: "number" }],
          contractEnd: "2027-03-01T00:00:00Z",
        },
        {
          id: "PRD-2001-OLD",
          name: "ADSL Basic 8",
          offeringId: "PO-ADSL-8",
          status: "terminated",
          live: false,
          placeId: "ADDR-AMS-0002",
          characteristics: [],
          contractEnd: null,
        },
      ]),
    );
    const modify: DraftDto = {
      ...wrongOfferingDraft(),
      id: "L-order-8",
      customerId: "CUST-2001",
      quoteId: null,
      items: [
        {
          id: "1",
          action: "modify",
          quantity: 1,
          offeringId: "PO-SF200-HOME",
          productId: "PRD-2001-BB",
          placeId: "ADDR-AMS-0002",
          characteristics: [{ name: "downloadSpeed", value: "200", kind: "number" }],
          relationships: [],
          appointment: null,
          price: null,
          state: "draft",
        },
      ],
    };
    vi.mocked(commands.startModifyOrder).mockResolvedValue(ok(modify));
    vi.mocked(commands.previewDecomposition).mockResolvedValue(
      ok({ items: [], skipped: [{ itemId: "1", reason: "noServiceRelevantChange" }] }),
    );
    renderCapture();

    await user.click(screen.getByTestId("capture-tab-product"));
    await user.type(screen.getByTestId("customer-search"), "CUST-2001");
    expect(await screen.findByTestId("product-PRD-2001-BB")).toBeInTheDocument();
    expect(commands.listCustomerProducts).toHaveBeenCalledWith("CUST-2001");
    expect(screen.getByTestId("modify-PRD-2001-OLD")).toBeDisabled();
    await user.click(screen.getByTestId("modify-PRD-2001-BB"));

    expect(commands.startModifyOrder).toHaveBeenCalledWith("PRD-2001-BB");
    expect(await screen.findByTestId("field-action-1")).toHaveValue("modify");
    expect(await screen.findByTestId("skipped-1")).toHaveTextContent("nothing the network delivers changes");
    expect(screen.getByTestId("decomposition")).toHaveTextContent("changes only");
  });

  it("says why a submission was refused and keeps the draft", async () => {
    const user = userEvent.setup();
    vi.mocked(commands.createDraftFromQuote).mockResolvedValue(
      ok({ ...wrongOfferingDraft(), items: wrongOfferingDraft().items.map((i) => ({ ...i, offeringId: "PO-SF100-CABLE" })) }),
    );
    vi.mocked(commands.submitDraft).mockResolvedValue(
      err("draftRejected", "the order would be rejected: CREDIT_DECLINED"),
    );
    const { onOpenOrder } = renderCapture();
    await user.type(screen.getByTestId("quote-search"), "QT-HFC");
    await user.click(await screen.findByTestId("quote-QT-HFC-WRONG-OFFERING"));
    await user.click(screen.getByTestId("create-draft"));
    await waitFor(() => {
      expect(screen.getByTestId("submit")).toBeEnabled();
    });
    await user.click(screen.getByTestId("submit"));

    expect(await screen.findByTestId("submit-error")).toHaveTextContent("CREDIT_DECLINED");
    expect(screen.getByTestId("submit-error")).toHaveTextContent("fix them and submit again");
    expect(onOpenOrder).not.toHaveBeenCalled();
    expect(screen.getByTestId("field-offering-1")).toBeInTheDocument();
  });

  it("saves a draft and resumes it from the saved drafts", async () => {
    const user = userEvent.setup();
    const saved = wrongOfferingDraft();
    vi.mocked(commands.saveDraft).mockResolvedValue(
      ok({
        id: saved.id,
        serverId: null,
        state: "draft",
        syncStatus: "draft",
        syncError: null,
        customerId: saved.customerId,
        customerName: "Resident 1003",
        address: null,
        orderDate: saved.orderDate,
        priority: "4",
        items: 1,
        version: 1,
        serverVersion: null,
        lastError: null,
        updatedAt: "2026-11-26T22:05:00Z",
      }),
    );
    vi.mocked(commands.listDrafts).mockResolvedValue(ok([saved]));
    renderCapture();
    await user.type(screen.getByTestId("quote-search"), "QT-HFC");
    await user.click(await screen.findByTestId("quote-QT-HFC-WRONG-OFFERING"));
    await user.click(screen.getByTestId("create-draft"));
    await user.type(await screen.findByTestId("field-description"), " — call before 10:00");
    await user.click(screen.getByTestId("save-draft"));
    expect(await screen.findByTestId("save-status")).toBeInTheDocument();
    expect(commands.saveDraft).toHaveBeenCalledWith(
      expect.objectContaining({ description: "SuperFibre 200 Home (GPON) at a cable-only address — call before 10:00" }),
    );

    await user.click(screen.getByTestId("close-draft"));
    expect(screen.getByTestId("capture-empty")).toBeInTheDocument();
    // Saved: nothing to lose, so Close does not ask.
    expect(screen.queryByTestId("confirm-close")).not.toBeInTheDocument();
    await user.click(screen.getByTestId("capture-tab-drafts"));
    await user.click(await screen.findByTestId("draft-L-order-7"));
    expect(await screen.findByTestId("field-offering-1")).toHaveValue("PO-SF200-HOME");
  });

  it("asks before closing a draft with unsaved changes", async () => {
    const user = userEvent.setup();
    renderCapture();
    await user.type(screen.getByTestId("quote-search"), "QT-HFC");
    await user.click(await screen.findByTestId("quote-QT-HFC-WRONG-OFFERING"));
    await user.click(screen.getByTestId("create-draft"));
    await user.selectOptions(await screen.findByTestId("field-priority"), "1");

    await user.click(screen.getByTestId("close-draft"));
    expect(screen.getByTestId("confirm-close")).toHaveTextContent("not saved");
    await user.click(screen.getByTestId("keep-editing"));
    expect(screen.getByTestId("field-priority")).toHaveValue("1");

    // Starting another draft asks too, and goes ahead once the changes are discarded.
    await user.click(screen.getByTestId("create-draft"));
    expect(screen.getByTestId("confirm-close")).toBeInTheDocument();
    expect(commands.createDraftFromQuote).toHaveBeenCalledTimes(1);
    await user.click(screen.getByTestId("discard-draft"));
    await waitFor(() => {
      expect(commands.createDraftFromQuote).toHaveBeenCalledTimes(2);
    });
    await waitFor(() => {
      expect(screen.getByTestId("field-priority")).toHaveValue("4");
    });

    await user.selectOptions(screen.getByTestId("field-priority"), "2");
    await user.click(screen.getByTestId("close-draft"));
    await user.click(screen.getByTestId("discard-draft"));
    expect(screen.getByTestId("capture-empty")).toBeInTheDocument();
  });

  it("opens a quote handed over as a JSON file", async () => {
    const user = userEvent.setup();
    vi.mocked(commands.openQuoteFile).mockResolvedValue(
      ok({
        id: "QT-PARTNER-77",
        customerId: "CUST-1003",
        customerName: "Resident 1003",
        description: "Partner shop quote",
        state: "accepted",
        quoteDate: "2026-11-26T09:00:00Z",
        validUntil: "2027-12-31T23:59:59Z",
        items: 1,
        scenario: null,
      }),
    );
    renderCapture();
    const json = JSON.stringify({ id: "QT-PARTNER-77", "@type": "Quote" });
    await user.upload(screen.getByTestId("quote-file"), new File([json], "quote.json", { type: "application/json" }));
    expect(await screen.findByTestId("selected-quote")).toHaveTextContent("QT-PARTNER-77");
    expect(commands.openQuoteFile).toHaveBeenCalledWith(json);
    await user.click(screen.getByTestId("create-draft"));
    expect(commands.createDraftFromQuote).toHaveBeenCalledWith("QT-PARTNER-77");
  });

  it("says why a quote file was refused", async () => {
    const user = userEvent.setup();
    vi.mocked(commands.openQuoteFile).mockResolvedValue(err("quoteUnusable", "quote `QT-9` expired on 2026-01-31"));
    renderCapture();
    await user.upload(screen.getByTestId("quote-file"), new File(["{}"], "old.json", { type: "application/json" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("expired on 2026-01-31");
    expect(screen.queryByTestId("create-draft")).not.toBeInTheDocument();
  });

  it("tells a role without the capture right that it cannot capture", () => {
    renderCapture({ ...sessions.agent, role: "supervisor", rights: ["useDesk", "readHistory"] });
    expect(screen.getByTestId("capture-forbidden")).toHaveTextContent("cannot capture orders");
  });
});
