/**
 * Query keys, in one place so that the live events invalidate exactly what they change.
 * Everything about orders sits under `orders`, the queues under `queue`.
 */
export const keys = {
  session: ["session"] as const,
  syncStatus: ["syncStatus"] as const,
  quotes: (query: string) => ["quotes", query] as const,
  offerings: ["offerings"] as const,
  customerProducts: (customerId: string) => ["customerProducts", customerId] as const,
  drafts: ["orders", "drafts"] as const,
  orders: ["orders"] as const,
  orderList: (filter: unknown) => ["orders", "list", filter] as const,
  orderSearch: (text: string) => ["orders", "search", text] as const,
  order: (orderId: string) => ["orders", "detail", orderId] as const,
  orderProgress: (orderId: string) => ["orders", "progress", orderId] as const,
  versions: (orderId: string) => ["orders", "versions", orderId] as const,
  diff: (orderId: string, from: number | null, to: number | null) =>
    ["orders", "diff", orderId, from, to] as const,
  history: (filter: unknown) => ["orders", "history", filter] as const,
  queue: ["queue"] as const,
  queueList: (filter: unknown) => ["queue", "list", filter] as const,
  credit: (queue: string | null) => ["queue", "credit", queue] as const,
} as const;
