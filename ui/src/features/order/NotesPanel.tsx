import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";

import { commands, type NoteDto, type OrderMessageDto } from "../../ipc/bindings.ts";
import { call, describeError, errorCode } from "../../ipc/call.ts";
import { keys } from "../../ipc/keys.ts";
import { formatTime } from "../../ipc/time.ts";

/** The server's messages on the order and its notes, with a box to add one. */
export function NotesPanel({
  orderId,
  notes,
  messages,
}: {
  orderId: string;
  notes: readonly NoteDto[];
  messages: readonly OrderMessageDto[];
}) {
  const id = useId();
  const client = useQueryClient();
  const [text, setText] = useState("");
  const add = useMutation({
    mutationFn: (note: string) => call(commands.addOrderNote(orderId, note)),
    onSuccess: () => {
      setText("");
      void client.invalidateQueries({ queryKey: keys.order(orderId) });
    },
  });
  const trimmed = text.trim();
  return (
    <section className="panel" data-testid="notes">
      {messages.length > 0 && (
        <>
          <h3>Messages</h3>
          <ul className="event-list">
            {messages.map((m, index) => (
              <li key={`${m.code}-${String(index)}`} data-testid={`message-${m.code}`}>
                <strong>{m.reason}</strong> ({m.code}): {m.message}{" "}
                <span className="muted">· {formatTime(m.at)}</span>
              </li>
            ))}
          </ul>
        </>
      )}
      <h3>Notes</h3>
      {notes.length === 0 ? (
        <p className="muted">No notes yet.</p>
      ) : (
        <ul className="event-list">
          {notes.map((note, index) => (
            <li key={`${note.at}-${String(index)}`} data-testid="note">
              <span className="muted">
                {formatTime(note.at)} · {note.author}:
              </span>{" "}
              {note.text}
            </li>
          ))}
        </ul>
      )}
      <form
        className="note-form"
        onSubmit={(event) => {
          event.preventDefault();
          if (trimmed !== "") {
            add.mutate(trimmed);
          }
        }}
      >
        <label className="form-label" htmlFor={`${id}-note`}>
          Add a note
        </label>
        <textarea
          id={`${id}-note`}
          data-testid="note-input"
          rows={2}
          value={text}
          onChange={(event) => {
            setText(event.target.value);
          }}
        />
        <button type="submit" data-testid="add-note" disabled={trimmed === "" || add.isPending}>
          {add.isPending ? "Adding…" : "Add note"}
        </button>
        {add.isError && (
          <p className="error-text" role="alert">
            The note was not added: {describeError(add.error)}{" "}
            {errorCode(add.error) === "offline"
              ? "Notes need the server; add it once the desk is back online."
              : "Try again."}
          </p>
        )}
      </form>
    </section>
  );
}
