/** Paging through a server-side list, a page of `pageSize` rows at `offset`. */

/** `No orders`, or `101–200 of 345`. */
export function PageCount({
  offset,
  shown,
  total,
  testId,
}: {
  offset: number;
  /** Rows on this page. */
  shown: number;
  total: number;
  testId: string;
}) {
  return (
    <span className="muted" data-testid={testId}>
      {total === 0 ? "No orders" : `${String(offset + 1)}–${String(offset + shown)} of ${String(total)}`}
    </span>
  );
}

/** Previous / Next; both wait while `busy` (a page is being read). */
export function PagerButtons({
  offset,
  pageSize,
  total,
  busy = false,
  testIdPrefix,
  onOffset,
}: {
  offset: number;
  pageSize: number;
  total: number;
  busy?: boolean;
  /** `<prefix>-prev` / `<prefix>-next` when given. */
  testIdPrefix?: string;
  onOffset: (offset: number) => void;
}) {
  return (
    <>
      <button
        type="button"
        data-testid={testIdPrefix === undefined ? undefined : `${testIdPrefix}-prev`}
        disabled={offset === 0 || busy}
        onClick={() => {
          onOffset(Math.max(0, offset - pageSize));
        }}
      >
        Previous
      </button>
      <button
        type="button"
        data-testid={testIdPrefix === undefined ? undefined : `${testIdPrefix}-next`}
        disabled={offset + pageSize >= total || busy}
        onClick={() => {
          onOffset(offset + pageSize);
        }}
      >
        Next
      </button>
    </>
  );
}
