import { describe, expect, it } from "vitest";

import type { CheckDto } from "../../ipc/bindings.ts";
import { characteristicProblem, fieldKeyOf, findingsByField } from "./checks.ts";

function at(field: string | null, itemId: string | null = null, outcome = "reject"): CheckDto {
  return {
    check: "catalog",
    label: "Catalog",
    outcome,
    code: "X",
    message: "m",
    field,
    itemId,
    suggestion: null,
    suggestedOfferingId: null,
    amount: null,
  };
}

const items = [{ id: "1" }, { id: "2" }, { id: "b" }];

describe("fieldKeyOf", () => {
  it.each([
    ["productOrderItem[0].productOffering.id", null, "item:1.offering"],
    ["productOrderItem[1].productOffering", null, "item:2.offering"],
    ["productOrderItem[2].product.place[0].id", null, "item:b.place"],
    ["productOrderItem[0].product.place", null, "item:1.place"],
    ["productOrderItem[1].product.id", null, "item:2.product"],
    ["productOrderItem[1].quantity", null, "item:2.quantity"],
    ["productOrderItem[0].product.productCharacteristic[name=downloadSpeed].value", null, "item:1.char:downloadSpeed"],
    ["productOrderItem[0].somethingNew", null, "item:1"],
    ["relatedParty[role=customer].id", "2", "order.customer"],
    ["payment[0].id", null, "order.paymentMethod"],
    ["payment[0].name", null, "order.paymentHolder"],
    ["externalId", null, "order.externalId"],
    [null, "b", "item:b"],
    [null, null, "order"],
    ["productOrderItem[9].productOffering.id", null, "order"],
  ])("%s (item %s) → %s", (field, itemId, key) => {
    expect(fieldKeyOf(at(field, itemId), items)).toBe(key);
  });

  it("trusts the item id over the index when both are given", () => {
    expect(fieldKeyOf(at("productOrderItem[0].productOffering.id", "2"), items)).toBe("item:2.offering");
  });
});

describe("findingsByField", () => {
  it("leaves passes to the summary and groups the rest", () => {
    const byField = findingsByField(
      [
        at("productOrderItem[0].productOffering.id", "1", "pass"),
        at("productOrderItem[0].productOffering.id", "1", "reject"),
        at("productOrderItem[0].productOffering.id", "1", "warn"),
      ],
      { items: [{ ...items[0] } as never] },
    );
    expect(byField.get("item:1.offering")?.map((c) => c.outcome)).toEqual(["reject", "warn"]);
  });
});

describe("characteristicProblem", () => {
  it.each([
    ["number", "200", null],
    ["number", "2.5", null],
    ["number", "fast", "Enter a number, e.g. 200."],
    ["number", "", "Enter a number, e.g. 200."],
    ["boolean", "true", null],
    ["boolean", "yes", "Choose yes or no."],
    ["json", "{\"a\":1}", null],
    ["text", "anything", null],
  ])("%s %s", (kind, value, problem) => {
    expect(characteristicProblem(kind, value)).toBe(problem);
  });
});
