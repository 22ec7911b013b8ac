import type { SessionDto } from "../../ipc/bindings.ts";
import { screensFor, type ScreenId } from "../../ipc/navigation.ts";
import { SyncStatusBar } from "./SyncStatusBar.tsx";

interface HeaderProps {
  session: SessionDto;
  /** The screen shown, or `null` on an order (no menu item is current then). */
  current: ScreenId | null;
  onGo: (screen: ScreenId) => void;
  onSignOut: () => void;
  signingOut: boolean;
  onOpenPalette: () => void;
}

const ROLE_LABELS: Record<string, string> = {
  agent: "Agent",
  backoffice: "Back office",
  supervisor: "Supervisor",
};

/** Always on top: the menu the session's rights allow, who is signed in, and the sync status. */
export function Header({ session, current, onGo, onSignOut, signingOut, onOpenPalette }: HeaderProps) {
  return (
    <header className="app-header">
      <div className="app-header-row">
        <h1>Orderdesk</h1>
        <nav aria-label="Screens" className="app-nav">
          {screensFor(session.rights).map((screen) => (
            <button
              key={screen.id}
              type="button"
              className="nav-item"
              aria-current={current === screen.id ? "page" : undefined}
              data-testid={`nav-${screen.id}`}
              title={`g ${screen.key}`}
              onClick={() => {
                onGo(screen.id);
              }}
            >
              {screen.label}
            </button>
          ))}
        </nav>
        <button
          type="button"
          className="palette-hint"
          data-testid="open-palette"
          onClick={onOpenPalette}
          title="Command palette (Ctrl+K)"
        >
          Search or run… <kbd>Ctrl K</kbd>
        </button>
        <div className="app-user" data-testid="session-user">
          <span className="user-name">{session.name}</span>{" "}
          <span className="user-role" data-testid="session-role">
            {ROLE_LABELS[session.role] ?? session.role}
          </span>
        </div>
        <button type="button" data-testid="sign-out" disabled={signingOut} onClick={onSignOut}>
          {signingOut ? "Signing out…" : "Sign out"}
        </button>
      </div>
      <SyncStatusBar />
    </header>
  );
}
