import { createContext, useContext } from "react";

/**
 * The desk's screens, which right opens each, and how a screen asks the frame to go elsewhere.
 * `App.tsx` owns the route; features reach it through {@link useNavigation} or their props,
 * never by importing each other.
 */
export type ScreenId = "capture" | "orders" | "queue" | "approvals" | "history";

export interface ScreenInfo {
  id: ScreenId;
  label: string;
  /** The session right (`SessionDto.rights`) that shows the screen. */
  right: string;
  /** Second key of its `g` shortcut (`g q` opens the queue). */
  key: string;
}

/** In menu order. The rights are the desk's `Permission` names (crates/desk/src/permission.rs). */
export const SCREENS: readonly ScreenInfo[] = [
  { id: "capture", label: "Capture", right: "captureOrders", key: "c" },
  { id: "orders", label: "My orders", right: "readOrders", key: "o" },
  { id: "queue", label: "Queue", right: "workQueue", key: "q" },
  { id: "approvals", label: "Credit approvals", right: "decideCredit", key: "a" },
  { id: "history", label: "History", right: "readHistory", key: "h" },
];

/** The screens a session may see, in menu order. */
export function screensFor(rights: readonly string[]): ScreenInfo[] {
  return SCREENS.filter((screen) => rights.includes(screen.right));
}

/** Where a session starts: its role's main work (credit, then queue, then capture). */
export function homeScreen(rights: readonly string[]): ScreenId | null {
  const allowed = screensFor(rights).map((screen) => screen.id);
  const preferred: ScreenId[] = ["approvals", "queue", "capture", "orders", "history"];
  return preferred.find((id) => allowed.includes(id)) ?? null;
}

export interface Navigation {
  go: (screen: ScreenId) => void;
  /** Opens the order screen; either the local or the server id. */
  openOrder: (orderId: string) => void;
}

export const NavigationContext = createContext<Navigation | null>(null);

/** The frame's navigation; throws outside the signed-in frame, where there is none. */
export function useNavigation(): Navigation {
  const navigation = useContext(NavigationContext);
  if (navigation === null) {
    throw new Error("useNavigation is used outside the signed-in frame");
  }
  return navigation;
}
