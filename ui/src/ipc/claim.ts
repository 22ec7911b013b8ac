/**
 * Who holds a queue entry's lease, for every screen that works entries (the held queue, credit
 * exceptions). Claiming and releasing are the features' own calls; this only reads the entry.
 */
import type { QueueEntryDto } from "./bindings.ts";
import { formatDateTime, timeOf } from "./format.ts";

/** Who holds an entry now; an expired lease is free (the server treats it so). */
export type ClaimState =
  | { kind: "free" }
  | { kind: "mine"; until: number | null }
  | { kind: "other"; by: string; until: number | null };

export function claimState(entry: QueueEntryDto, userId: string, now: number): ClaimState {
  if (entry.claimedBy === null) return { kind: "free" };
  const until = timeOf(entry.claimedUntil);
  if (until !== null && until <= now) return { kind: "free" };
  return entry.claimedBy === userId ? { kind: "mine", until } : { kind: "other", by: entry.claimedBy, until };
}

/** ` until 26/11/2026, 12:10`, or nothing for a lease without an end. */
export function leaseEnd(until: number | null): string {
  return until === null ? "" : ` until ${formatDateTime(new Date(until).toISOString())}`;
}

/** `Claimed by u-2 until 26/11/2026, 12:10: wait for release or expiry.` */
export function claimedByOther(claim: { by: string; until: number | null }): string {
  return `Claimed by ${claim.by}${leaseEnd(claim.until)}: wait for release or expiry.`;
}
