/**
 * TEMPORARY copies of the history search DTOs the desktop crate is adding (`searchHistory`),
 * with the shapes agreed for issue 5. Delete this file and import from `ipc/bindings.ts` once
 * the generated bindings carry them.
 */

export interface HistoryFilterDto {
  customer: string | null;
  agent: string | null;
  channel: string | null;
  state: string | null;
  from: string | null;
  to: string | null;
  offset: number | null;
  limit: number | null;
}

export interface HistoryPageDto {
  items: HistoryRowDto[];
  total: number;
}

export interface HistoryRowDto {
  /** The server's id. */
  orderId: string;
  /** The desk's local id, when this desk holds the order. */
  localId: string | null;
  customerId: string;
  customerName: string | null;
  state: string;
  channel: string | null;
  createdBy: string | null;
  orderDate: string;
  version: number;
  items: number;
}
