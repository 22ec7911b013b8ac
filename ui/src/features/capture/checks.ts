import type { CheckDto, DraftDto } from "../../ipc/bindings.ts";

/**
 * Where on the order form a validation finding belongs. Local validation names the field at
 * fault with its TMF622 path (`productOrderItem[1].product.place[0].id`, index 0-based into the
 * order's items) and the item id; the form places each finding beside the input it concerns.
 *
 * Field keys: `order` (the order as a whole), `order.customer`, `order.externalId`,
 * `order.paymentMethod`, `order.paymentHolder`, `order.requestedStartDate`,
 * `order.requestedCompletionDate`, `order.priority`, `order.description`; and per item
 * `item:<id>` (the item as a whole), `item:<id>.offering`, `.place`, `.product`, `.quantity`,
 * `.action`, `.appointment`, `.char:<name>`.
 */
export type FieldKey = string;

const ORDER_FIELDS: Record<string, FieldKey> = {
  "relatedParty[role=customer].id": "order.customer",
  relatedParty: "order.customer",
  externalId: "order.externalId",
  "payment[0].id": "order.paymentMethod",
  "payment[0].name": "order.paymentHolder",
  requestedStartDate: "order.requestedStartDate",
  requestedCompletionDate: "order.requestedCompletionDate",
  priority: "order.priority",
  description: "order.description",
};

const ITEM_PATH = /^productOrderItem\[(\d+)\](.*)$/;
const CHARACTERISTIC = /^\.product\.productCharacteristic\[name=([^\]]+)\]/;

function belowItem(rest: string): string {
  if (rest.startsWith(".productOffering")) {
    return ".offering";
  }
  if (rest.startsWith(".product.place")) {
    return ".place";
  }
  const characteristic = CHARACTERISTIC.exec(rest);
  if (characteristic?.[1] !== undefined) {
    return `.char:${characteristic[1]}`;
  }
  if (rest === ".product.id" || rest === ".product") {
    return ".product";
  }
  if (rest === ".quantity") {
    return ".quantity";
  }
  if (rest === ".action") {
    return ".action";
  }
  if (rest.startsWith(".appointment")) {
    return ".appointment";
  }
  return "";
}

/** The form field a finding concerns; unknown paths fall back to the item, then the order. */
export function fieldKeyOf(check: CheckDto, items: readonly { id: string }[]): FieldKey {
  const field = check.field?.trim() ?? "";
  const knownItem =
    check.itemId !== null && items.some((item) => item.id === check.itemId) ? check.itemId : null;
  const match = ITEM_PATH.exec(field);
  if (match !== null) {
    const index = Number(match[1]);
    const itemId = knownItem ?? items[index]?.id ?? null;
    if (itemId === null) {
      return "order";
    }
    return `item:${itemId}${belowItem(match[2] ?? "")}`;
  }
  const orderField = ORDER_FIELDS[field];
  if (orderField !== undefined) {
    return orderField;
  }
  if (knownItem !== null) {
    return `item:${knownItem}`;
  }
  return "order";
}

/** The findings worth showing beside a field (pass results only count in the summary). */
export function findingsByField(
  results: readonly CheckDto[],
  draft: Pick<DraftDto, "items">,
): Map<FieldKey, CheckDto[]> {
  const byField = new Map<FieldKey, CheckDto[]>();
  for (const check of results) {
    if (check.outcome === "pass") {
      continue;
    }
    const key = fieldKeyOf(check, draft.items);
    const list = byField.get(key);
    if (list === undefined) {
      byField.set(key, [check]);
    } else {
      list.push(check);
    }
  }
  return byField;
}

export const OUTCOMES = ["reject", "hold", "warn", "pass"] as const;

/** How many findings have each outcome. */
export function countOutcomes(results: readonly CheckDto[]): Record<string, number> {
  const counts: Record<string, number> = { reject: 0, hold: 0, warn: 0, pass: 0 };
  for (const check of results) {
    counts[check.outcome] = (counts[check.outcome] ?? 0) + 1;
  }
  return counts;
}

/** Why a characteristic value cannot be sent as its kind, or null when it can. */
export function characteristicProblem(kind: string, value: string): string | null {
  switch (kind) {
    case "number":
      return value.trim() !== "" && Number.isFinite(Number(value.trim()))
        ? null
        : "Enter a number, e.g. 200.";
    case "boolean":
      return value === "true" || value === "false" ? null : "Choose yes or no.";
    case "json":
      try {
        JSON.parse(value);
        return null;
      } catch {
        return "Enter valid JSON, e.g. {\"key\": \"value\"}.";
      }
    default:
      return null;
  }
}

/** The form problems that would make the desk refuse the draft before validating it. */
export function draftProblems(draft: DraftDto): Map<FieldKey, string> {
  const problems = new Map<FieldKey, string>();
  if (draft.customerId.trim() === "") {
    problems.set("order.customer", "The order needs a customer.");
  }
  if (draft.items.length === 0) {
    problems.set("order", "The order needs at least one item.");
  }
  for (const item of draft.items) {
    for (const characteristic of item.characteristics) {
      const problem = characteristicProblem(characteristic.kind, characteristic.value);
      if (problem !== null) {
        problems.set(`item:${item.id}.char:${characteristic.name}`, problem);
      }
    }
    if (item.appointment !== null) {
      const start = Date.parse(item.appointment.start);
      const end = Date.parse(item.appointment.end);
      if (Number.isNaN(start) || Number.isNaN(end)) {
        problems.set(`item:${item.id}.appointment`, "Give the appointment a start and an end.");
      } else if (end <= start) {
        problems.set(`item:${item.id}.appointment`, "The appointment must end after it starts.");
      }
    }
  }
  const start = draft.requestedStartDate === null ? null : Date.parse(draft.requestedStartDate);
  const completion =
    draft.requestedCompletionDate === null ? null : Date.parse(draft.requestedCompletionDate);
  if (start !== null && completion !== null && completion < start) {
    problems.set(
      "order.requestedCompletionDate",
      "The requested completion date must not be before the requested start date.",
    );
  }
  return problems;
}
