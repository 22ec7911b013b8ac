import type { ItemProgressDto, ServiceItemProgressDto } from "../../ipc/bindings.ts";

/** TMF641 service item states in which delivery has started. */
const STARTED = new Set(["inProgress", "completed", "failed", "partial"]);

/**
 * A service item flagged `pointOfNoReturn` is a step that cannot be undone once delivery starts
 * (the domain's PONR rule): the flag alone says it *will* pass the point, its state says it has.
 */
export function servicePastPonr(service: ServiceItemProgressDto): boolean {
  return service.pointOfNoReturn && STARTED.has(service.state);
}

export function itemPastPonr(item: ItemProgressDto): boolean {
  return item.serviceItems.some(servicePastPonr);
}
