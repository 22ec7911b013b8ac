import { useEffect, useRef } from "react";

import { isTypingTarget, modalOpen } from "../../ipc/keyboard.ts";
import type { ScreenId, ScreenInfo } from "../../ipc/navigation.ts";

/** How long `g` waits for the screen key (`g q`). */
const SEQUENCE_MS = 1500;

/** Every shortcut, as the help overlay lists them. Screen-specific ones name their screen. */
export function shortcutList(screens: readonly ScreenInfo[]): { keys: string; what: string }[] {
  return [
    { keys: "Ctrl K  /  ⌘ K", what: "Command palette: screens, actions, order search" },
    { keys: "?", what: "This help" },
    { keys: "/", what: "Focus the screen's search" },
    ...screens.map((screen) => ({ keys: `g ${screen.key}`, what: `Go to ${screen.label}` })),
    { keys: "j / ↓, k / ↑", what: "Queue, credit: next / previous entry" },
    { keys: "c", what: "Queue, credit: claim the selected entry" },
    { keys: "o / Enter", what: "Queue: open the selected entry's order" },
    { keys: "Shift R", what: "Queue: refresh from the server" },
    { keys: "Esc", what: "Close the panel, dialog or palette" },
  ];
}

interface GlobalShortcuts {
  screens: readonly ScreenInfo[];
  onGo: (screen: ScreenId) => void;
  onTogglePalette: () => void;
  onHelp: () => void;
}

/**
 * The frame's keys: Ctrl/Cmd+K anywhere; `?`, `/` and `g <key>` outside text fields and
 * dialogs. Screens add their own single keys with `useShortcutKeys`.
 */
export function useGlobalShortcuts({ screens, onGo, onTogglePalette, onHelp }: GlobalShortcuts): void {
  const latest = useRef({ screens, onGo, onTogglePalette, onHelp });
  useEffect(() => {
    latest.current = { screens, onGo, onTogglePalette, onHelp };
  });

  useEffect(() => {
    let gAt = 0;
    const onKeyDown = (event: KeyboardEvent) => {
      const current = latest.current;
      if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === "k") {
        event.preventDefault();
        current.onTogglePalette();
        return;
      }
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
      if (isTypingTarget(event.target) || modalOpen()) return;

      if (gAt !== 0 && Date.now() - gAt < SEQUENCE_MS) {
        gAt = 0;
        const screen = current.screens.find((s) => s.key === event.key);
        if (screen !== undefined) {
          event.preventDefault();
          current.onGo(screen.id);
        }
        return;
      }
      gAt = 0;
      if (event.key === "g") {
        gAt = Date.now();
        event.preventDefault();
      } else if (event.key === "?") {
        event.preventDefault();
        current.onHelp();
      } else if (event.key === "/") {
        const search = document.querySelector<HTMLElement>('[data-shortcut="search"]');
        if (search !== null) {
          event.preventDefault();
          search.focus();
        }
      }
    };
    // Capture: the frame's sequence (`g c`) wins over a screen's single key (`c`).
    document.addEventListener("keydown", onKeyDown, true);
    return () => {
      document.removeEventListener("keydown", onKeyDown, true);
    };
  }, []);
}
