import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useMemo, useState } from "react";

import { commands, type DraftDto, type SessionDto } from "../../ipc/bindings.ts";
import { call, describeError, errorCode } from "../../ipc/call.ts";
import { keys } from "../../ipc/keys.ts";
import { draftProblems, findingsByField, type FieldKey } from "./checks.ts";
import { DecompositionPreview } from "./DecompositionPreview.tsx";
import { InstalledProducts } from "./InstalledProducts.tsx";
import { OrderForm } from "./OrderForm.tsx";
import { QuoteFinder } from "./QuoteFinder.tsx";
import { SavedDrafts } from "./SavedDrafts.tsx";
import { formatTime } from "../../ipc/time.ts";
import { useDraftChecks } from "./useDraftChecks.ts";
import { ValidationSummary } from "./ValidationSummary.tsx";
import "./capture.css";

type Start =
  | { kind: "quote"; quoteId: string }
  | { kind: "modify"; productId: string }
  | { kind: "cease"; productId: string };

type Tab = "quote" | "product" | "drafts";

const TABS: { id: Tab; label: string }[] = [
  { id: "quote", label: "From a quote" },
  { id: "product", label: "Change or cease" },
  { id: "drafts", label: "Saved drafts" },
];

const NO_FINDINGS: ReadonlyMap<FieldKey, never[]> = new Map();

function startDraft(start: Start): Promise<DraftDto> {
  switch (start.kind) {
    case "quote":
      return call(commands.createDraftFromQuote(start.quoteId));
    case "modify":
      return call(commands.startModifyOrder(start.productId));
    case "cease":
      return call(commands.startCeaseOrder(start.productId));
  }
}

/**
 * Order capture for agents: start a draft from a quote, from an installed product (modify or
 * cease) or from a saved draft; review and adjust it with local validation beside each field
 * and the service order it would become; save it or submit it, which opens the order.
 */
export function CaptureScreen({
  session,
  onOpenOrder,
}: {
  session: SessionDto;
  onOpenOrder: (orderId: string) => void;
}) {
  const client = useQueryClient();
  const [tab, setTab] = useState<Tab>("quote");
  const [draft, setDraft] = useState<DraftDto | null>(null);
  const [savedAt, setSavedAt] = useState<string | null>(null);
  /** Edited since it was started, resumed or saved. */
  const [dirty, setDirty] = useState(false);
  /** What waits for the agent to confirm dropping unsaved changes (close, or another draft). */
  const [pending, setPending] = useState<{ run: () => void } | null>(null);

  const offerings = useQuery({
    queryKey: keys.offerings,
    queryFn: () => call(commands.listOfferings()),
  });
  const start = useMutation({
    mutationFn: startDraft,
    onSuccess: (created) => {
      setDraft(created);
      setSavedAt(null);
      setDirty(false);
      setPending(null);
    },
  });
  const save = useMutation({
    mutationFn: (toSave: DraftDto) => call(commands.saveDraft(toSave)),
    onSuccess: (row) => {
      setSavedAt(row.updatedAt);
      setDirty(false);
      void client.invalidateQueries({ queryKey: keys.drafts });
    },
  });
  const submit = useMutation({
    mutationFn: (toSubmit: DraftDto) => call(commands.submitDraft(toSubmit)),
    onSuccess: (submitted) => {
      setDraft(null);
      void client.invalidateQueries({ queryKey: keys.drafts });
      onOpenOrder(submitted.orderId);
    },
  });

  const { validation, decomposition, settling } = useDraftChecks(draft);
  const problems = useMemo(() => (draft === null ? new Map<FieldKey, string>() : draftProblems(draft)), [draft]);
  const findings = useMemo(
    () =>
      draft === null || validation.data === undefined
        ? NO_FINDINGS
        : findingsByField(validation.data.results, draft),
    [draft, validation.data],
  );

  if (!session.rights.includes("captureOrders")) {
    return (
      <div className="capture">
        <section className="capture-empty panel" data-testid="capture-forbidden">
          <h2>Capture</h2>
          <p>
            Your role ({session.role}) cannot capture orders. Ask a supervisor if you need to take
            orders on this desk.
          </p>
        </section>
      </div>
    );
  }

  const edit = (next: DraftDto) => {
    setDraft(next);
    setDirty(true);
    save.reset();
    submit.reset();
  };
  /** Runs `action` now, or once the agent agrees to drop the draft's unsaved changes. */
  const guard = (action: () => void) => {
    if (draft !== null && dirty) {
      setPending({ run: action });
    } else {
      action();
    }
  };
  const close = () => {
    setDraft(null);
    setDirty(false);
    setPending(null);
    save.reset();
    submit.reset();
  };
  const rejected = validation.data?.outcome === "reject";
  const submitBlocked = problems.size > 0 || rejected || submit.isPending;

  return (
    <div className="capture" data-testid="capture-screen">
      <aside className="capture-start panel">
        <div className="tabs" role="tablist">
          {TABS.map((t) => (
            <button
              key={t.id}
              type="button"
              role="tab"
              aria-selected={tab === t.id}
              data-testid={`capture-tab-${t.id}`}
              className={tab === t.id ? "tab active" : "tab"}
              onClick={() => {
                setTab(t.id);
              }}
            >
              {t.label}
            </button>
          ))}
        </div>
        {tab === "quote" && (
          <QuoteFinder
            creating={start.isPending}
            onCreateDraft={(quoteId) => {
              guard(() => {
                start.mutate({ kind: "quote", quoteId });
              });
            }}
          />
        )}
        {tab === "product" && (
          <InstalledProducts
            starting={start.isPending}
            onModify={(productId) => {
              guard(() => {
                start.mutate({ kind: "modify", productId });
              });
            }}
            onCease={(productId) => {
              guard(() => {
                start.mutate({ kind: "cease", productId });
              });
            }}
          />
        )}
        {tab === "drafts" && (
          <SavedDrafts
            onResume={(saved) => {
              guard(() => {
                setDraft(saved);
                setSavedAt(null);
                setDirty(false);
                setPending(null);
                start.reset();
              });
            }}
          />
        )}
        {start.isError && (
          <p className="error-text" role="alert" data-testid="start-error">
            The draft could not be started: {describeError(start.error)}{" "}
            {errorCode(start.error) === "quoteUnusable"
              ? "Ask for a new quote from CPQ."
              : "Check the quote or product and try again."}
          </p>
        )}
      </aside>

      {draft === null ? (
        <section className="capture-empty panel" data-testid="capture-empty">
          <h2>No order in progress</h2>
          <p className="muted">
            Find the customer’s quote, open a quote file, pick an installed product to change or
            cease, or resume a saved draft.
          </p>
        </section>
      ) : (
        <section className="capture-draft">
          <header className="capture-draft-header panel">
            <div>
              <h2>
                Draft {draft.id}{" "}
                <span className="badge state-draft" data-testid="draft-state">
                  {draft.state}
                </span>
              </h2>
              <p className="muted">
                Customer {draft.customerId}
                {draft.quoteId !== null && ` · quote ${draft.quoteId}`} · {draft.items.length} item
                {draft.items.length === 1 ? "" : "s"}
                {savedAt !== null && ` · saved ${formatTime(savedAt)}`}
              </p>
            </div>
            <div className="actions">
              <button
                type="button"
                data-testid="save-draft"
                disabled={save.isPending || problems.size > 0}
                onClick={() => {
                  save.mutate(draft);
                }}
              >
                {save.isPending ? "Saving…" : "Save draft"}
              </button>
              <button
                type="button"
                className="primary"
                data-testid="submit"
                disabled={submitBlocked}
                title={rejected ? "Local validation rejects this order: fix the findings first" : undefined}
                onClick={() => {
                  submit.mutate(draft);
                }}
              >
                {submit.isPending ? "Submitting…" : "Submit order"}
              </button>
              <button
                type="button"
                data-testid="close-draft"
                onClick={() => {
                  guard(close);
                }}
              >
                Close
              </button>
            </div>
            {pending !== null && (
              <p className="warn-text" role="alert" data-testid="confirm-close">
                This draft has changes that are not saved.{" "}
                <button
                  type="button"
                  data-testid="discard-draft"
                  onClick={() => {
                    setDirty(false);
                    setPending(null);
                    pending.run();
                  }}
                >
                  Discard them
                </button>{" "}
                <button
                  type="button"
                  data-testid="keep-editing"
                  onClick={() => {
                    setPending(null);
                  }}
                >
                  Keep editing
                </button>
              </p>
            )}
            {save.isSuccess && (
              <p className="ok-text" data-testid="save-status">
                Draft saved on this desk; find it under Saved drafts.
              </p>
            )}
            {save.isError && (
              <p className="error-text" role="alert">
                The draft was not saved: {describeError(save.error)} Try again.
              </p>
            )}
            {submit.isError && (
              <p className="error-text" role="alert" data-testid="submit-error">
                The order was not submitted: {describeError(submit.error)}{" "}
                {errorCode(submit.error) === "draftRejected"
                  ? "The findings are marked on the form; fix them and submit again."
                  : "Nothing was sent; try again."}
              </p>
            )}
          </header>
          <div className="capture-body">
            <OrderForm
              draft={draft}
              onChange={edit}
              offerings={offerings.data ?? []}
              findings={findings}
              problems={problems}
            />
            <div className="capture-side">
              {offerings.isError && (
                <p className="error-text" role="alert">
                  The catalog could not be read ({describeError(offerings.error)}); offerings show
                  by id only.
                </p>
              )}
              <ValidationSummary validation={validation} settling={settling} blocked={problems.size > 0} />
              <DecompositionPreview
                decomposition={decomposition}
                isModify={draft.items.some((item) => item.action === "modify")}
              />
            </div>
          </div>
        </section>
      )}
    </div>
  );
}
