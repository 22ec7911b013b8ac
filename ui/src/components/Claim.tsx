/**
 * The parts of a worked entry (held queue, credit exceptions) both panels show alike: one button
 * that claims a free entry or releases the caller's own, who holds it in a table cell, and the
 * entry's hold reasons.
 */
import type { QueueEntryDto } from "../ipc/bindings.ts";
import type { ClaimState } from "../ipc/claim.ts";

/**
 * "Claim" (primary, `<prefix>-claim`, disabled while another user holds the entry) or, once the
 * caller holds it, "Release" (`<prefix>-release`).
 */
export function ClaimButton({
  claim,
  busy,
  claiming,
  testIdPrefix,
  onClaim,
  onRelease,
}: {
  claim: ClaimState;
  /** An action on the entry is running. */
  busy: boolean;
  /** The claim itself is running. */
  claiming: boolean;
  testIdPrefix: string;
  onClaim: () => void;
  onRelease: () => void;
}) {
  if (claim.kind === "mine") {
    return (
      <button type="button" disabled={busy} data-testid={`${testIdPrefix}-release`} onClick={onRelease}>
        Release
      </button>
    );
  }
  return (
    <button
      type="button"
      className="primary"
      disabled={busy || claim.kind === "other"}
      data-testid={`${testIdPrefix}-claim`}
      title="Claim (c)"
      onClick={onClaim}
    >
      {claiming ? "Claiming…" : "Claim"}
    </button>
  );
}

/** "—", "you" or the holder's id, for a "Claimed by" column. */
export function ClaimHolder({ claim }: { claim: ClaimState }) {
  if (claim.kind === "free") return <span className="muted">—</span>;
  return claim.kind === "mine" ? <span className="claim-mine">you</span> : <span className="claim-other">{claim.by}</span>;
}

/** An entry's hold reasons: each code with its message. */
export function HoldReasons({ reasons, testId }: { reasons: QueueEntryDto["reasons"]; testId?: string }) {
  return (
    <ul data-testid={testId}>
      {reasons.map((reason) => (
        <li key={`${reason.code}-${reason.message}`}>
          <span className="mono">{reason.code}</span> {reason.message}
        </li>
      ))}
    </ul>
  );
}
