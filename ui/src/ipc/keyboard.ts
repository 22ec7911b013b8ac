import { useEffect, useRef } from "react";

/**
 * Single-key shortcuts (`c`, `/`, `j`) must not fire while someone types, nor behind a dialog.
 * Screens register them with {@link useShortcutKeys}; the frame's own (`g q`, `?`, Ctrl+K) live
 * in App.tsx.
 */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return (
    target.isContentEditable ||
    target instanceof HTMLInputElement ||
    target instanceof HTMLTextAreaElement ||
    target instanceof HTMLSelectElement
  );
}

/** Enter or Space on a button or link belongs to it, not to a screen's shortcut. */
function activatesTarget(event: KeyboardEvent): boolean {
  if (event.key !== "Enter" && event.key !== " ") return false;
  return event.target instanceof Element && event.target.closest("button, a[href], [role='button']") !== null;
}

/** True while a modal dialog (a confirmation, the palette, the help) is open. */
export function modalOpen(): boolean {
  return document.querySelector('[aria-modal="true"]') !== null;
}

/**
 * Calls `handler` for plain key presses (no Ctrl/Meta/Alt) outside text fields and dialogs.
 * The handler answers whether it used the key (then its default is prevented).
 */
export function useShortcutKeys(handler: (key: string) => boolean): void {
  const latest = useRef(handler);
  useEffect(() => {
    latest.current = handler;
  });
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
      if (isTypingTarget(event.target) || activatesTarget(event) || modalOpen()) return;
      if (latest.current(event.key)) event.preventDefault();
    };
    document.addEventListener("keydown", onKeyDown);
    return () => {
      document.removeEventListener("keydown", onKeyDown);
    };
  }, []);
}
