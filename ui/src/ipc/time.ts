/** RFC 3339 (what the desk sends) ⇄ the value of an `<input type="datetime-local">`. */

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

/** `2026-11-26T09:00:00Z` → `2026-11-26T10:00` in the machine's time zone; "" when absent. */
export function toLocalInput(iso: string | null): string {
  if (iso === null) {
    return "";
  }
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) {
    return "";
  }
  return `${String(at.getFullYear())}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}`;
}

/** A `datetime-local` value → RFC 3339 in UTC; null when empty or unreadable. */
export function fromLocalInput(value: string): string | null {
  if (value.trim() === "") {
    return null;
  }
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? null : at.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** A time for people: `26 Nov 2026, 10:00`. */
export function formatTime(iso: string | null): string {
  if (iso === null) {
    return "—";
  }
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) {
    return iso;
  }
  return at.toLocaleString("en-GB", {
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
  });
}
