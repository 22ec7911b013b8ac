import { useEffect, useState } from "react";

import type { MoneyDto } from "./bindings.ts";

/**
 * Display helpers shared by the screens: durations, times and money. Money stays a decimal
 * string from the desk to the screen; it is never turned into a float.
 */

/** The current time, ticking every `intervalMs` (one timer per component that asks). */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => {
      setNow(Date.now());
    }, intervalMs);
    return () => {
      clearInterval(timer);
    };
  }, [intervalMs]);
  return now;
}

/** A duration, two units at most: `3d 04h`, `2h 05m`, `4m 12s`, `9s`. Negative = its size. */
export function formatDuration(ms: number): string {
  const total = Math.floor(Math.abs(ms) / 1000);
  const days = Math.floor(total / 86_400);
  const hours = Math.floor((total % 86_400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const pad = (n: number) => String(n).padStart(2, "0");
  if (days > 0) return `${String(days)}d ${pad(hours)}h`;
  if (hours > 0) return `${String(hours)}h ${pad(minutes)}m`;
  if (minutes > 0) return `${String(minutes)}m ${pad(seconds)}s`;
  return `${String(seconds)}s`;
}

/** Milliseconds since the epoch of an RFC 3339 time; `null` for absent or unreadable. */
export function timeOf(iso: string | null): number | null {
  if (iso === null) return null;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
}

const dateTime = new Intl.DateTimeFormat(undefined, {
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
});

/** A local date and time (`26/11/2026, 23:04`), or the text itself if it is no time. */
export function formatDateTime(iso: string | null): string {
  const ms = timeOf(iso);
  if (ms === null) return iso ?? "—";
  return dateTime.format(ms);
}

/** `49.95 EUR`, kept exactly as the desk wrote the amount. */
export function formatMoney(money: MoneyDto | null): string {
  return money === null ? "—" : `${money.amount} ${money.currency}`;
}

/** `inProgress` → `in progress`, for labels built from the desk's camelCase codes. */
export function humanize(code: string): string {
  return code.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase();
}

/** A select's option for a desk code, labelled for people (`inProgress` → `in progress`). */
export function humanizedOption(code: string): { value: string; label: string } {
  return { value: code, label: humanize(code) };
}

/** The badge class of a TMF622 order or item state (`state-held`, `state-inProgress-accepted`). */
export function stateClass(state: string): string {
  return `badge state-${state.replace(/\./g, "-")}`;
}

/** The badge class of a local order's sync status (`sync-awaitingSync`, `sync-conflict`...). */
export function syncClass(syncStatus: string): string {
  return `badge sync-${syncStatus}`;
}
