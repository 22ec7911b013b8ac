import { useEffect, useRef } from "react";

interface ShortcutHelpProps {
  shortcuts: { keys: string; what: string }[];
  onClose: () => void;
}

/** The `?` overlay: every keyboard shortcut. Esc or a click outside closes it. */
export function ShortcutHelp({ shortcuts, onClose }: ShortcutHelpProps) {
  const closeButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    closeButton.current?.focus();
  }, []);

  return (
    <div
      className="overlay"
      onMouseDown={(event) => {
        if (event.target === event.currentTarget) onClose();
      }}
      onKeyDown={(event) => {
        if (event.key === "Escape" || event.key === "?") {
          event.preventDefault();
          onClose();
        }
      }}
    >
      <div className="dialog shortcuts" role="dialog" aria-modal="true" aria-label="Keyboard shortcuts" data-testid="shortcut-help">
        <h2>Keyboard shortcuts</h2>
        <table>
          <tbody>
            {shortcuts.map((shortcut) => (
              <tr key={shortcut.keys}>
                <td>
                  <kbd>{shortcut.keys}</kbd>
                </td>
                <td>{shortcut.what}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <div className="dialog-buttons">
          <button ref={closeButton} type="button" onClick={onClose} data-testid="shortcut-help-close">
            Close
          </button>
        </div>
      </div>
    </div>
  );
}
