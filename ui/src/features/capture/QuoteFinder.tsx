import { useMutation, useQuery } from "@tanstack/react-query";
import { useId, useState, type ChangeEvent } from "react";

import { commands, type QuoteSummaryDto } from "../../ipc/bindings.ts";
import { call, describeError } from "../../ipc/call.ts";
import { keys } from "../../ipc/keys.ts";
import { formatTime } from "../../ipc/time.ts";
import { useDebouncedValue } from "./useDebouncedValue.ts";

export const QUOTE_SEARCH_DELAY_MS = 250;

/** Finds a CPQ quote by customer or quote id, or opens one from a JSON file; then drafts it. */
export function QuoteFinder({
  onCreateDraft,
  creating,
}: {
  onCreateDraft: (quoteId: string) => void;
  creating: boolean;
}) {
  const id = useId();
  const [text, setText] = useState("");
  const [selected, setSelected] = useState<QuoteSummaryDto | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const query = useDebouncedValue(text.trim(), QUOTE_SEARCH_DELAY_MS);
  const quotes = useQuery({
    queryKey: keys.quotes(query),
    queryFn: () => call(commands.findQuotes(query)),
    enabled: query !== "",
  });
  const openFile = useMutation({
    mutationFn: (json: string) => call(commands.openQuoteFile(json)),
    onSuccess: (quote) => {
      setSelected(quote);
    },
  });

  const readFile = (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = "";
    setFileError(null);
    if (file === undefined) {
      return;
    }
    file.text().then(
      (json) => {
        openFile.mutate(json);
      },
      (error: unknown) => {
        openFile.reset();
        setFileError(`${file.name} could not be read (${describeError(error)}).`);
      },
    );
  };

  let results;
  if (query === "") {
    results = <p className="muted">Type a customer name, customer id or quote id.</p>;
  } else if (quotes.isPending) {
    results = <p className="muted">Searching quotes…</p>;
  } else if (quotes.isError) {
    results = (
      <p className="error-text" role="alert">
        Quotes could not be searched: {describeError(quotes.error)} Try again, or open the quote
        from its file.
      </p>
    );
  } else if (quotes.data.length === 0) {
    results = <p className="muted">No quote matches “{query}”. Check the spelling or the id.</p>;
  } else {
    results = (
      <ul className="pick-list" data-testid="quote-results">
        {quotes.data.map((quote) => (
          <li key={quote.id}>
            <button
              type="button"
              className={`pick-row${selected?.id === quote.id ? " selected" : ""}`}
              data-testid={`quote-${quote.id}`}
              aria-pressed={selected?.id === quote.id}
              onClick={() => {
                setSelected(quote);
              }}
            >
              <QuoteLine quote={quote} />
            </button>
          </li>
        ))}
      </ul>
    );
  }

  return (
    <div className="quote-finder">
      <label className="form-label" htmlFor={`${id}-search`}>
        Find a quote
      </label>
      <input
        id={`${id}-search`}
        type="search"
        data-testid="quote-search"
        placeholder="Customer or quote id"
        value={text}
        onChange={(event) => {
          setText(event.target.value);
        }}
      />
      {results}
      <label className="form-label" htmlFor={`${id}-file`}>
        Or open a quote file (TMF648 JSON)
      </label>
      <input
        id={`${id}-file`}
        type="file"
        accept="application/json,.json"
        data-testid="quote-file"
        onChange={readFile}
      />
      {openFile.isPending && <p className="muted">Reading the quote…</p>}
      {fileError !== null && (
        <p className="error-text" role="alert">
          {fileError} Choose the file again, or ask for the quote to be exported again.
        </p>
      )}
      {openFile.isError && (
        <p className="error-text" role="alert">
          The quote file could not be opened: {describeError(openFile.error)} Check that it is a
          TMF648 quote exported from CPQ.
        </p>
      )}
      {selected !== null && (
        <div className="selected-quote" data-testid="selected-quote">
          <QuoteLine quote={selected} />
          <button
            type="button"
            className="primary"
            data-testid="create-draft"
            disabled={creating}
            onClick={() => {
              onCreateDraft(selected.id);
            }}
          >
            {creating ? "Creating the draft…" : "Create the order draft"}
          </button>
        </div>
      )}
    </div>
  );
}

function QuoteLine({ quote }: { quote: QuoteSummaryDto }) {
  return (
    <span className="quote-line">
      <strong>{quote.id}</strong> · {quote.customerName ?? "unnamed customer"}{" "}
      <span className="muted">({quote.customerId ?? "no customer id"})</span>
      <br />
      <span className="muted">
        {quote.description ?? "No description"} · {quote.items} item{quote.items === 1 ? "" : "s"} ·{" "}
        {quote.state ?? "state unknown"} · valid until {formatTime(quote.validUntil)}
      </span>
    </span>
  );
}
