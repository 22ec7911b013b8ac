import type { UseQueryResult } from "@tanstack/react-query";

import type { ValidationDto } from "../../ipc/bindings.ts";
import { describeError } from "../../ipc/call.ts";
import { countOutcomes, OUTCOMES } from "./checks.ts";

const VERDICT: Record<string, string> = {
  pass: "The order would be accepted.",
  warn: "The order would be accepted, with warnings.",
  hold: "The order would be held for the back office.",
  reject: "The order would be rejected: fix the findings marked Rejects before submitting.",
};

/** What local validation says of the draft as a whole: the verdict and every check. */
export function ValidationSummary({
  validation,
  settling,
  blocked,
}: {
  validation: UseQueryResult<ValidationDto>;
  settling: boolean;
  /** The form has problems of its own, so the draft was not sent for validation. */
  blocked: boolean;
}) {
  if (blocked) {
    return (
      <section className="panel validation-summary" data-testid="validation-summary">
        <h3>Checks</h3>
        <p className="muted">Fix the fields marked in red; the checks run again as you type.</p>
      </section>
    );
  }
  if (validation.isError) {
    return (
      <section className="panel validation-summary" data-testid="validation-summary">
        <h3>Checks</h3>
        <p className="error-text" role="alert">
          The desk could not validate this draft: {describeError(validation.error)} Check the
          fields you changed last; validation runs again on the next edit.
        </p>
      </section>
    );
  }
  if (validation.data === undefined) {
    return (
      <section className="panel validation-summary" data-testid="validation-summary">
        <h3>Checks</h3>
        <p className="muted">Validating…</p>
      </section>
    );
  }
  const result = validation.data;
  const counts = countOutcomes(result.results);
  return (
    <section
      className={`panel validation-summary outcome-${result.outcome}`}
      data-testid="validation-summary"
      aria-busy={settling}
    >
      <h3>
        Checks{" "}
        <span className={`badge badge-${result.outcome}`} data-testid="validation-outcome">
          {result.outcome}
        </span>
        {settling && <span className="muted"> · updating…</span>}
      </h3>
      <p>
        {VERDICT[result.outcome] ?? result.outcome}
        {result.holdQueue !== null && ` Queue: ${result.holdQueue}.`}
      </p>
      <p className="counts">
        {OUTCOMES.map((outcome) => (
          <span key={outcome} className={`count count-${outcome}`}>
            {counts[outcome] ?? 0} {outcome}
          </span>
        ))}
      </p>
      <ul className="summary-checks">
        {result.results.map((check, index) => (
          <li
            key={`${check.code}-${String(index)}`}
            className={`summary-check finding-${check.outcome}`}
            data-testid={`summary-check-${check.code}`}
          >
            <span className={`badge badge-${check.outcome}`}>{check.outcome}</span> {check.label}
            {check.itemId !== null && ` · item ${check.itemId}`}: {check.message}
          </li>
        ))}
      </ul>
    </section>
  );
}
