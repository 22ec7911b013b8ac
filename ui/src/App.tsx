import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useRef, useState } from "react";

import { CreditExceptions } from "./features/approvals/CreditExceptions.tsx";
import { CaptureScreen } from "./features/capture/CaptureScreen.tsx";
import { HistoryScreen } from "./features/history/HistoryScreen.tsx";
import { OrderScreen } from "./features/order/OrderScreen.tsx";
import { QueueBoard } from "./features/queue/QueueBoard.tsx";
import { CommandPalette, type PaletteAction } from "./features/palette/CommandPalette.tsx";
import { shortcutList, useGlobalShortcuts } from "./features/palette/shortcuts.ts";
import { ShortcutHelp } from "./features/palette/ShortcutHelp.tsx";
import { Header } from "./features/shell/Header.tsx";
import { MyOrders } from "./features/shell/MyOrders.tsx";
import { useSyncNow } from "./features/shell/sync.ts";
import { SignInScreen } from "./features/sign-in/SignInScreen.tsx";
import { commands, type SessionDto } from "./ipc/bindings.ts";
import { call, explainError } from "./ipc/call.ts";
import { keys } from "./ipc/keys.ts";
import { useLiveInvalidation } from "./ipc/live.ts";
import {
  homeScreen,
  NavigationContext,
  screensFor,
  type Navigation,
  type ScreenId,
} from "./ipc/navigation.ts";

/** What the frame shows: a screen from the menu, or one order opened from anywhere. */
type Route = { screen: ScreenId } | { screen: "order"; orderId: string; from: ScreenId | null };

/**
 * The app frame. It restores the session (`getSession`), shows sign-in without one, and
 * otherwise the desk: header, menu by rights, and the screen of the route. Feature screens never
 * import each other; they navigate through their props or {@link NavigationContext}.
 */
export function App() {
  const client = useQueryClient();
  const session = useQuery({
    queryKey: keys.session,
    queryFn: () => call(commands.getSession()),
  });

  if (session.isPending) {
    return (
      <div className="app app-center" aria-busy="true" data-testid="app-loading">
        <p className="muted">Opening the desk…</p>
      </div>
    );
  }
  if (session.isError) {
    return (
      <div className="app app-center">
        <div className="notice error" role="alert" data-testid="app-session-error">
          <strong>The desk could not read its session.</strong>
          <p>{explainError(session.error)}</p>
          <button
            type="button"
            onClick={() => {
              void session.refetch();
            }}
          >
            Try again
          </button>
        </div>
      </div>
    );
  }
  if (session.data === null) {
    return (
      <div className="app app-center">
        <h1 className="brand">Orderdesk</h1>
        <SignInScreen
          onSignedIn={(signedIn) => {
            client.setQueryData(keys.session, signedIn);
          }}
        />
      </div>
    );
  }
  return <Desk key={session.data.userId} session={session.data} />;
}

/** The signed-in frame: live events wired, the header, the routed screen, palette and keys. */
function Desk({ session }: { session: SessionDto }) {
  useLiveInvalidation();
  const client = useQueryClient();
  const home = homeScreen(session.rights);
  const [route, setRoute] = useState<Route | null>(home === null ? null : { screen: home });
  const [overlay, setOverlay] = useState<"palette" | "help" | null>(null);
  const syncNow = useSyncNow();
  const refreshQueue = useMutation({
    mutationFn: () => call(commands.refreshQueue()),
    onSuccess: () => client.invalidateQueries({ queryKey: keys.queue }),
  });

  const signOut = useMutation({
    mutationFn: () => call(commands.signOut()),
    onSuccess: () => {
      // Nothing of this user's data may outlive the session in the cache.
      client.removeQueries({ predicate: (query) => query.queryKey[0] !== keys.session[0] });
      client.setQueryData(keys.session, null);
    },
  });

  const navigation = useMemo<Navigation>(
    () => ({
      go: (screen) => {
        setRoute({ screen });
      },
      openOrder: (orderId) => {
        setRoute((current) => ({
          screen: "order",
          orderId,
          from: current === null ? null : current.screen === "order" ? current.from : current.screen,
        }));
      },
    }),
    [],
  );

  const screens = useMemo(() => screensFor(session.rights), [session.rights]);
  const allowed = screens.map((screen) => screen.id);

  const { mutate: runSync } = syncNow;
  const { mutate: runRefresh } = refreshQueue;
  const { mutate: runSignOut } = signOut;
  const canWorkQueue = session.rights.includes("workQueue");
  const onQueue = useRef(false);
  useEffect(() => {
    onQueue.current = route?.screen === "queue";
  }, [route]);
  const actions = useMemo<PaletteAction[]>(
    () => [
      { id: "sync-now", label: "Sync now", run: () => { runSync(); } },
      ...(canWorkQueue
        ? [
            {
              id: "refresh-queue",
              label: "Refresh the queue from the server",
              hint: "Shift R",
              // The board refreshes when it opens; already on it, refresh here.
              run: () => {
                if (onQueue.current) runRefresh();
                else navigation.go("queue");
              },
            },
          ]
        : []),
      { id: "shortcuts", label: "Keyboard shortcuts", hint: "?", run: () => { setOverlay("help"); } },
      { id: "sign-out", label: "Sign out", run: () => { runSignOut(); } },
    ],
    [runSync, runRefresh, runSignOut, canWorkQueue, navigation],
  );

  useGlobalShortcuts({
    screens,
    onGo: navigation.go,
    onTogglePalette: () => {
      setOverlay((current) => (current === "palette" ? null : "palette"));
    },
    onHelp: () => {
      setOverlay("help");
    },
  });

  const closeOverlay = useMemo(
    () => () => {
      setOverlay(null);
    },
    [],
  );

  return (
    <NavigationContext value={navigation}>
      <div className="app">
        <Header
          session={session}
          current={route === null || route.screen === "order" ? null : route.screen}
          onGo={navigation.go}
          onSignOut={() => {
            signOut.mutate();
          }}
          signingOut={signOut.isPending}
          onOpenPalette={() => {
            setOverlay("palette");
          }}
        />
        {signOut.isError && (
          <div className="notice error banner" role="alert" data-testid="sign-out-error">
            Sign-out failed: {explainError(signOut.error)}
          </div>
        )}
        {refreshQueue.isError && (
          <div className="notice error banner" role="alert" data-testid="action-error">
            Refreshing the queue failed: {explainError(refreshQueue.error)}{" "}
            <button
              type="button"
              onClick={() => {
                refreshQueue.reset();
              }}
            >
              Dismiss
            </button>
          </div>
        )}
        <main className="app-main">
          {route === null ? (
            <p className="empty" data-testid="no-screens">
              This role has no desk screens. Sign in with an agent, back-office or supervisor token.
            </p>
          ) : route.screen === "order" ? (
            <OrderScreen
              session={session}
              orderId={route.orderId}
              onBack={() => {
                const back = route.from ?? home;
                setRoute(back === null ? null : { screen: back });
              }}
            />
          ) : !allowed.includes(route.screen) ? (
            <p className="notice error" role="alert">
              Your role cannot open this screen.
            </p>
          ) : (
            <RoutedScreen screen={route.screen} session={session} navigation={navigation} />
          )}
        </main>
        {overlay === "palette" && (
          <CommandPalette
            screens={screens}
            actions={actions}
            onGo={navigation.go}
            onOpenOrder={navigation.openOrder}
            onClose={closeOverlay}
          />
        )}
        {overlay === "help" && <ShortcutHelp shortcuts={shortcutList(screens)} onClose={closeOverlay} />}
      </div>
    </NavigationContext>
  );
}

function RoutedScreen({
  screen,
  session,
  navigation,
}: {
  screen: ScreenId;
  session: SessionDto;
  navigation: Navigation;
}) {
  switch (screen) {
    case "capture":
      return <CaptureScreen session={session} onOpenOrder={navigation.openOrder} />;
    case "orders":
      return <MyOrders onOpenOrder={navigation.openOrder} />;
    case "queue":
      return <QueueBoard session={session} onOpenOrder={navigation.openOrder} />;
    case "approvals":
      return <CreditExceptions session={session} onOpenOrder={navigation.openOrder} />;
    case "history":
      return <HistoryScreen session={session} onOpenOrder={navigation.openOrder} />;
  }
}
