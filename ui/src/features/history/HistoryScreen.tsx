import { keepPreviousData, skipToken, useQuery } from "@tanstack/react-query";
import {
  createColumnHelper,
  flexRender,
  getCoreRowModel,
  useReactTable,
} from "@tanstack/react-table";
import { useId, useState, type SubmitEvent } from "react";

import { Empty, ErrorNotice, Loading } from "../../components/ListStatus.tsx";
import { PageCount, PagerButtons } from "../../components/Pager.tsx";
import { commands, type HistoryFilterDto, type HistoryRowDto, type SessionDto } from "../../ipc/bindings.ts";
import { call, describeError, errorCode } from "../../ipc/call.ts";
import { formatDateTime, humanize, stateClass } from "../../ipc/format.ts";
import { keys } from "../../ipc/keys.ts";
import { VersionsPanel } from "./VersionsPanel.tsx";
import "./history.css";

const PAGE_SIZE = 50;

const STATES = [
  "acknowledged",
  "held",
  "pending",
  "inProgress",
  "inProgress.accepted",
  "completed",
  "partial",
  "failed",
  "rejected",
  "cancelled",
  "assessingCancellation",
  "pendingCancellation",
];
/** Suggestions only: an integration user is its own channel. */
const CHANNELS = ["desk", "web", "partner"];

interface Criteria {
  customer: string;
  agent: string;
  channel: string;
  state: string;
  from: string;
  to: string;
}

const NO_CRITERIA: Criteria = { customer: "", agent: "", channel: "", state: "", from: "", to: "" };

function orNull(value: string): string | null {
  return value.trim() === "" ? null : value.trim();
}

/** A `date` input's day → the first (or last) instant of that day, local time, as RFC 3339. */
function dayBound(day: string, end: boolean): string | null {
  if (day === "") {
    return null;
  }
  const [y, m, d] = day.split("-").map(Number);
  if (y === undefined || m === undefined || d === undefined) {
    return null;
  }
  const at = end ? new Date(y, m - 1, d, 23, 59, 59) : new Date(y, m - 1, d, 0, 0, 0);
  return Number.isNaN(at.getTime()) ? null : at.toISOString().replace(/\.\d{3}Z$/, "Z");
}

function toFilter(criteria: Criteria, offset: number): HistoryFilterDto {
  return {
    customer: orNull(criteria.customer),
    agent: orNull(criteria.agent),
    channel: orNull(criteria.channel),
    state: orNull(criteria.state),
    from: dayBound(criteria.from, false),
    to: dayBound(criteria.to, true),
    offset,
    limit: PAGE_SIZE,
  };
}

const column = createColumnHelper<HistoryRowDto>();

const COLUMNS = [
  column.accessor("orderId", {
    header: "Order",
    cell: (info) => <span className="mono">{info.getValue()}</span>,
  }),
  column.accessor((row) => row.customerName ?? row.customerId, {
    id: "customer",
    header: "Customer",
    cell: (info) => (
      <>
        {info.getValue()}
        {info.row.original.customerName !== null && (
          <span className="muted"> · {info.row.original.customerId}</span>
        )}
      </>
    ),
  }),
  column.accessor("state", {
    header: "State",
    cell: (info) => <span className={stateClass(info.getValue())}>{humanize(info.getValue())}</span>,
  }),
  column.accessor("channel", { header: "Channel", cell: (info) => info.getValue() ?? "—" }),
  column.accessor("createdBy", { header: "Agent", cell: (info) => info.getValue() ?? "—" }),
  column.accessor("orderDate", { header: "Ordered", cell: (info) => formatDateTime(info.getValue()) }),
  column.accessor("version", { header: "Version", cell: (info) => <span className="num">{info.getValue()}</span> }),
  column.accessor("items", { header: "Items", cell: (info) => <span className="num">{info.getValue()}</span> }),
];

/**
 * Order history for supervisors: search every order the server holds by customer, agent,
 * channel, state and date range; pick one to read its versions and compare any two.
 */
export function HistoryScreen({
  session,
  onOpenOrder,
}: {
  session: SessionDto;
  onOpenOrder: (orderId: string) => void;
}) {
  const id = useId();
  const [draft, setDraft] = useState<Criteria>(NO_CRITERIA);
  const [criteria, setCriteria] = useState<Criteria | null>(null);
  const [offset, setOffset] = useState(0);
  const [selected, setSelected] = useState<HistoryRowDto | null>(null);

  const filter = criteria === null ? null : toFilter(criteria, offset);
  const results = useQuery({
    queryKey: keys.history(filter),
    queryFn: filter === null ? skipToken : () => call(commands.searchHistory(filter)),
    placeholderData: keepPreviousData,
  });
  const rows = results.data?.items ?? [];
  const total = results.data?.total ?? 0;
  // TanStack Table hands back fresh functions each render; the compiler leaves this screen
  // unmemoized, which is what a 50-row page needs anyway.
  // eslint-disable-next-line react-hooks/incompatible-library
  const table = useReactTable({
    data: rows,
    columns: COLUMNS,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (row) => row.orderId,
    manualPagination: true,
  });

  if (!session.rights.includes("readHistory")) {
    return (
      <section className="history-screen" data-testid="history-forbidden">
        <p>Your role ({session.role}) cannot read the order history. Supervisors can.</p>
      </section>
    );
  }

  const search = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    setCriteria({ ...draft });
    setOffset(0);
    setSelected(null);
  };
  const field = (key: keyof Criteria) => ({
    value: draft[key],
    onChange: (event: { target: { value: string } }) => {
      setDraft({ ...draft, [key]: event.target.value });
    },
  });
  const badRange = draft.from !== "" && draft.to !== "" && draft.to < draft.from;

  let body;
  if (criteria === null) {
    body = (
      <Empty testId="history-start">
        Search by customer, agent, channel, state or dates. Leave every field empty to list the newest orders.
      </Empty>
    );
  } else if (results.isPending) {
    body = <Loading testId="history-loading">Searching the history…</Loading>;
  } else if (results.isError) {
    body = (
      <ErrorNotice
        testId="history-error"
        retry={{
          label: "Try again",
          onRetry: () => {
            void results.refetch();
          },
        }}
      >
        The history could not be searched: {describeError(results.error)}{" "}
        {errorCode(results.error) === "offline"
          ? "History lives on the server: search again once the desk is online."
          : "Check the filters and try again."}
      </ErrorNotice>
    );
  } else if (rows.length === 0) {
    body = <Empty testId="history-empty">No order matches these filters. Widen the date range or clear a field.</Empty>;
  } else {
    body = (
      <table className="grid" data-testid="history-results" aria-busy={results.isFetching}>
        <thead>
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id}>
              {group.headers.map((header) => (
                <th key={header.id}>{flexRender(header.column.columnDef.header, header.getContext())}</th>
              ))}
            </tr>
          ))}
        </thead>
        <tbody>
          {table.getRowModel().rows.map((row) => (
            <tr
              key={row.id}
              tabIndex={0}
              className="clickable"
              aria-selected={selected?.orderId === row.id}
              data-testid={`history-row-${row.id}`}
              onClick={() => {
                setSelected(row.original);
              }}
              onKeyDown={(event) => {
                if (event.key === "Enter") {
                  setSelected(row.original);
                }
              }}
            >
              {row.getVisibleCells().map((cell) => (
                <td key={cell.id}>{flexRender(cell.column.columnDef.cell, cell.getContext())}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    );
  }

  return (
    <section className="history-screen" data-testid="screen-history">
      <form className="history-filters" onSubmit={search} aria-label="Search the order history">
        <h2>Order history</h2>
        <label htmlFor={`${id}-customer`}>Customer</label>
        <input id={`${id}-customer`} data-testid="history-customer" placeholder="id or name" {...field("customer")} />
        <label htmlFor={`${id}-agent`}>Agent</label>
        <input id={`${id}-agent`} data-testid="history-agent" placeholder="e.g. U-AGENT-1" {...field("agent")} />
        <label htmlFor={`${id}-channel`}>Channel</label>
        <input
          id={`${id}-channel`}
          data-testid="history-channel"
          list={`${id}-channels`}
          placeholder="any"
          {...field("channel")}
        />
        <datalist id={`${id}-channels`}>
          {CHANNELS.map((c) => (
            <option key={c} value={c} />
          ))}
        </datalist>
        <label htmlFor={`${id}-state`}>State</label>
        <select id={`${id}-state`} data-testid="history-state" {...field("state")}>
          <option value="">any</option>
          {STATES.map((s) => (
            <option key={s} value={s}>
              {humanize(s)}
            </option>
          ))}
        </select>
        <label htmlFor={`${id}-from`}>From</label>
        <input id={`${id}-from`} type="date" data-testid="history-from" {...field("from")} />
        <label htmlFor={`${id}-to`}>To</label>
        <input id={`${id}-to`} type="date" data-testid="history-to" {...field("to")} />
        <button type="submit" className="primary" data-testid="history-search" disabled={badRange}>
          Search
        </button>
        {badRange && <span className="error-text">“To” is before “From”.</span>}
      </form>

      <div className="history-columns">
        <div className="history-results">
          {criteria !== null && results.isSuccess && (
            <div className="toolbar">
              <PageCount offset={offset} shown={rows.length} total={total} testId="history-count" />
              <span className="spacer" />
              <PagerButtons
                offset={offset}
                pageSize={PAGE_SIZE}
                total={total}
                busy={results.isFetching}
                testIdPrefix="history"
                onOffset={setOffset}
              />
            </div>
          )}
          {body}
        </div>
        {selected !== null && (
          <VersionsPanel key={selected.orderId} order={selected} onOpenOrder={onOpenOrder} />
        )}
      </div>
    </section>
  );
}
