import type { CheckDto, OfferingDto } from "../../ipc/bindings.ts";

interface FindingsProps {
  findings: readonly CheckDto[] | undefined;
  /** A form problem found before validation (a number field holding letters...). */
  problem?: string | undefined;
  offerings: readonly OfferingDto[];
  /** Swaps the item's offering to the suggested one. */
  onUseOffering?: ((itemId: string, offeringId: string) => void) | undefined;
}

const OUTCOME_LABEL: Record<string, string> = {
  reject: "Rejects",
  hold: "Holds",
  warn: "Warning",
  pass: "OK",
};

/** Validation findings shown beside the field they concern, with the suggested fix. */
export function Findings({ findings, problem, offerings, onUseOffering }: FindingsProps) {
  if ((findings === undefined || findings.length === 0) && problem === undefined) {
    return null;
  }
  return (
    <ul className="findings">
      {problem !== undefined && (
        <li className="finding finding-reject" role="alert" data-testid="form-problem">
          {problem}
        </li>
      )}
      {findings?.map((check, index) => {
        const offering =
          check.suggestedOfferingId === null
            ? undefined
            : offerings.find((o) => o.id === check.suggestedOfferingId);
        const itemId = check.itemId;
        const suggested = check.suggestedOfferingId;
        return (
          <li
            key={`${check.code}-${String(index)}`}
            className={`finding finding-${check.outcome}`}
            data-testid={`check-${check.code}`}
          >
            <span className="finding-outcome">{OUTCOME_LABEL[check.outcome] ?? check.outcome}</span>{" "}
            <span className="finding-message">{check.message}</span>
            {check.amount !== null && (
              <span className="finding-amount">
                {" "}
                ({check.amount.currency} {check.amount.amount})
              </span>
            )}
            {check.suggestion !== null && (
              <div className="finding-suggestion">Suggested: {check.suggestion}</div>
            )}
            {suggested !== null && itemId !== null && onUseOffering !== undefined && (
              <button
                type="button"
                className="link-button"
                data-testid={`use-offering-${itemId}`}
                onClick={() => {
                  onUseOffering(itemId, suggested);
                }}
              >
                Use {offering?.name ?? suggested}
              </button>
            )}
          </li>
        );
      })}
    </ul>
  );
}
