import { useId, useState, type SubmitEvent } from "react";

import type { MoneyDto } from "../../ipc/bindings.ts";

export type Decision = "approve" | "deposit" | "decline";

const TITLES: Record<Decision, { title: string; consequence: string; submit: string }> = {
  approve: {
    title: "Approve the credit referral",
    consequence: "The order is validated again without credit vetting and goes on to fulfilment.",
    submit: "Approve",
  },
  deposit: {
    title: "Require a deposit",
    consequence: "The order waits as pending until the back office records the deposit.",
    submit: "Require deposit",
  },
  decline: {
    title: "Decline the credit referral",
    consequence: "The order is cancelled with the reason; the customer is told. This cannot be undone.",
    submit: "Decline",
  },
};

/** A decimal amount as the desk takes it: digits, at most two decimals, more than zero. */
const AMOUNT = /^\d{1,9}(\.\d{1,2})?$/;
const CURRENCY = /^[A-Z]{3}$/;

interface DecisionFormProps {
  decision: Decision;
  pending: boolean;
  onSubmit: (input: { reason: string; amount: MoneyDto | null }) => void;
  onCancel: () => void;
}

/** The reason every decision needs, and for a deposit its amount (EUR unless changed). */
export function DecisionForm({ decision, pending, onSubmit, onCancel }: DecisionFormProps) {
  const id = useId();
  const [reason, setReason] = useState("");
  const [amount, setAmount] = useState("");
  const [currency, setCurrency] = useState("EUR");
  const text = TITLES[decision];
  const trimmedAmount = amount.trim().replace(",", ".");
  const amountProblem =
    decision !== "deposit"
      ? null
      : !AMOUNT.test(trimmedAmount) || Number(trimmedAmount) === 0
        ? "Enter an amount above zero, like 150 or 150.00."
        : !CURRENCY.test(currency.trim().toUpperCase())
          ? "Enter a three-letter currency code, like EUR."
          : null;
  const complete = reason.trim() !== "" && amountProblem === null;

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!complete || pending) return;
    onSubmit({
      reason: reason.trim(),
      amount: decision === "deposit" ? { amount: trimmedAmount, currency: currency.trim().toUpperCase() } : null,
    });
  }

  return (
    <form
      className="inline-form"
      aria-labelledby={`${id}-title`}
      data-testid="credit-form"
      data-decision={decision}
      onSubmit={submit}
      onKeyDown={(event) => {
        if (event.key === "Escape") {
          event.stopPropagation();
          onCancel();
        }
      }}
    >
      <strong id={`${id}-title`}>{text.title}</strong>
      <span className="explain">{text.consequence}</span>
      {decision === "deposit" && (
        <div className="toolbar">
          <label>
            Amount
            <input
              inputMode="decimal"
              autoFocus
              value={amount}
              data-testid="credit-amount"
              onChange={(event) => {
                setAmount(event.target.value);
              }}
            />
          </label>
          <label>
            Currency
            <input
              size={4}
              maxLength={3}
              value={currency}
              data-testid="credit-currency"
              onChange={(event) => {
                setCurrency(event.target.value);
              }}
            />
          </label>
        </div>
      )}
      <label>
        Reason (required)
        <textarea
          rows={2}
          autoFocus={decision !== "deposit"}
          value={reason}
          data-testid="credit-reason"
          onChange={(event) => {
            setReason(event.target.value);
          }}
        />
      </label>
      {amountProblem !== null && amount !== "" && (
        <span className="explain" data-testid="credit-amount-problem">
          {amountProblem}
        </span>
      )}
      <div className="dialog-buttons">
        <button type="button" onClick={onCancel}>
          Back
        </button>
        <button
          type="submit"
          className={decision === "decline" ? "danger" : "primary"}
          disabled={!complete || pending}
          data-testid="credit-submit"
        >
          {pending ? "Working…" : text.submit}
        </button>
      </div>
    </form>
  );
}
