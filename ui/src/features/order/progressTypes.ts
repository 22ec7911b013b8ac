/**
 * TEMPORARY copies of the progress DTOs the desktop crate is adding (`getOrderProgress`), with
 * the shapes agreed for issue 5. Delete this file and import from `ipc/bindings.ts` once the
 * generated bindings carry them.
 */

export interface OrderProgressDto {
  orderId: string;
  serverId: string | null;
  state: string;
  items: ItemProgressDto[];
  milestones: MilestoneDto[];
  jeopardyAlerts: JeopardyAlertDto[];
  timeline: TimelineEventDto[];
  cancellation: CancellationDto | null;
  /** When the server was read; null = offline, the local copy only. */
  fetchedAt: string | null;
}

export interface ItemProgressDto {
  itemId: string;
  action: string;
  offeringId: string | null;
  offeringName: string | null;
  state: string;
  serviceItems: ServiceItemProgressDto[];
}

export interface ServiceItemProgressDto {
  id: string;
  serviceOrderId: string | null;
  cfs: string;
  action: string;
  state: string;
  pointOfNoReturn: boolean;
  errorMessage: string | null;
}

export interface MilestoneDto {
  id: string | null;
  name: string;
  description: string | null;
  status: string | null;
  date: string;
  itemIds: string[];
}

export interface JeopardyAlertDto {
  id: string | null;
  name: string;
  alertType: string | null;
  message: string | null;
  date: string;
  itemIds: string[];
}

export interface TimelineEventDto {
  at: string;
  kind: string;
  title: string;
  detail: string | null;
  by: string | null;
}

export interface CancellationDto {
  state: string;
  reason: string | null;
  requestedAt: string | null;
  reversed: string[];
  notReversed: { itemId: string; reason: string }[];
}
