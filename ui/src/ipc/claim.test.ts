import { describe, expect, it } from "vitest";

import { queueEntry } from "../test/queue.ts";
import { claimedByOther, claimState, leaseEnd } from "./claim.ts";
import { formatDateTime } from "./format.ts";

describe("claimState", () => {
  it("tells a running claim from an expired one", () => {
    const now = Date.parse("2026-11-26T12:00:00Z");
    const held = queueEntry("PO-1", { claimedBy: "u-2", claimedUntil: "2026-11-26T12:10:00Z" });
    expect(claimState(held, "u-1", now)).toEqual({ kind: "other", by: "u-2", until: Date.parse("2026-11-26T12:10:00Z") });
    expect(claimState(held, "u-2", now).kind).toBe("mine");
    expect(claimState({ ...held, claimedUntil: "2026-11-26T11:59:00Z" }, "u-1", now).kind).toBe("free");
    expect(claimState(queueEntry("PO-2"), "u-1", now).kind).toBe("free");
  });

  it("says who holds the lease and until when", () => {
    const until = Date.parse("2026-11-26T12:10:00Z");
    expect(leaseEnd(null)).toBe("");
    expect(claimedByOther({ by: "u-2", until })).toBe(
      `Claimed by u-2 until ${formatDateTime("2026-11-26T12:10:00Z")}: wait for release or expiry.`,
    );
  });
});
