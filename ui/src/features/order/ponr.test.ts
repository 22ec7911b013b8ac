import { describe, expect, it } from "vitest";

import { servicePastPonr } from "./ponr.ts";

function service(state: string, pointOfNoReturn: boolean) {
  return { id: "S", serviceOrderId: null, cfs: "CFS:GPON-Access", action: "add", state, pointOfNoReturn, errorMessage: null };
}

describe("servicePastPonr", () => {
  it.each([
    ["acknowledged", true, false],
    ["pending", true, false],
    ["held", true, false],
    ["inProgress", true, true],
    ["completed", true, true],
    ["failed", true, true],
    ["inProgress", false, false],
    ["completed", false, false],
  ])("%s, PONR step %s → %s", (state, flag, past) => {
    expect(servicePastPonr(service(state, flag))).toBe(past);
  });
});
