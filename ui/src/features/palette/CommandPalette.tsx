import { useQuery } from "@tanstack/react-query";
import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from "react";

import { commands } from "../../ipc/bindings.ts";
import { call, explainError } from "../../ipc/call.ts";
import { humanize } from "../../ipc/format.ts";
import { keys } from "../../ipc/keys.ts";
import type { ScreenId, ScreenInfo } from "../../ipc/navigation.ts";

export interface PaletteAction {
  id: string;
  label: string;
  /** Shortcut shown beside it. */
  hint?: string;
  run: () => void;
}

interface CommandPaletteProps {
  screens: readonly ScreenInfo[];
  actions: readonly PaletteAction[];
  onGo: (screen: ScreenId) => void;
  onOpenOrder: (orderId: string) => void;
  onClose: () => void;
}

interface Item {
  id: string;
  group: "Go to" | "Actions" | "Orders";
  label: string;
  detail: string | null;
  run: () => void;
}

/** Typing pauses this long before the desk's full-text search runs. */
const SEARCH_DELAY_MS = 150;

function matches(label: string, words: string[]): boolean {
  const text = label.toLowerCase();
  return words.every((word) => text.includes(word));
}

/**
 * Ctrl+K: one box to jump to a screen, run an action or find an order (`searchOrders`).
 * ↑/↓ move, Enter runs, Esc closes; the list is a listbox the input points into.
 */
export function CommandPalette({ screens, actions, onGo, onOpenOrder, onClose }: CommandPaletteProps) {
  const id = useId();
  const [text, setText] = useState("");
  const [search, setSearch] = useState("");
  const [active, setActive] = useState(0);
  const list = useRef<HTMLUListElement>(null);

  useEffect(() => {
    const timer = setTimeout(() => {
      setSearch(text.trim());
    }, SEARCH_DELAY_MS);
    return () => {
      clearTimeout(timer);
    };
  }, [text]);

  const orders = useQuery({
    queryKey: keys.orderSearch(search),
    queryFn: () => call(commands.searchOrders(search)),
    enabled: search.length >= 2,
  });

  const items = useMemo<Item[]>(() => {
    const words = text.toLowerCase().split(/\s+/).filter((word) => word !== "");
    const close = (run: () => void) => () => {
      onClose();
      run();
    };
    const screenItems = screens
      .filter((screen) => matches(`go to ${screen.label}`, words))
      .map<Item>((screen) => ({
        id: `screen-${screen.id}`,
        group: "Go to",
        label: screen.label,
        detail: `g ${screen.key}`,
        run: close(() => {
          onGo(screen.id);
        }),
      }));
    const actionItems = actions
      .filter((action) => matches(action.label, words))
      .map<Item>((action) => ({
        id: `action-${action.id}`,
        group: "Actions",
        label: action.label,
        detail: action.hint ?? null,
        run: close(action.run),
      }));
    const orderItems =
      search.length >= 2 && orders.isSuccess
        ? orders.data.map<Item>((order) => ({
            id: `order-${order.id}`,
            group: "Orders",
            label: `${order.serverId ?? order.id} · ${order.customerName ?? order.customerId}`,
            detail: humanize(order.state),
            run: close(() => {
              onOpenOrder(order.id);
            }),
          }))
        : [];
    return [...screenItems, ...actionItems, ...orderItems];
  }, [text, search, screens, actions, orders.isSuccess, orders.data, onClose, onGo, onOpenOrder]);

  const current = Math.min(active, Math.max(0, items.length - 1));
  const activeItem = items[current];

  useEffect(() => {
    if (activeItem === undefined) return;
    list.current?.querySelector(`[data-item="${activeItem.id}"]`)?.scrollIntoView({ block: "nearest" });
  }, [activeItem]);

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    switch (event.key) {
      case "ArrowDown":
        event.preventDefault();
        setActive(items.length === 0 ? 0 : (current + 1) % items.length);
        break;
      case "ArrowUp":
        event.preventDefault();
        setActive(items.length === 0 ? 0 : (current - 1 + items.length) % items.length);
        break;
      case "Enter":
        event.preventDefault();
        activeItem?.run();
        break;
      case "Escape":
        event.preventDefault();
        event.stopPropagation();
        onClose();
        break;
    }
  }

  let lastGroup: string | null = null;
  return (
    <div
      className="overlay"
      onMouseDown={(event) => {
        if (event.target === event.currentTarget) onClose();
      }}
    >
      <div className="dialog palette" role="dialog" aria-modal="true" aria-label="Command palette" data-testid="palette">
        <input
          autoFocus
          role="combobox"
          aria-expanded="true"
          aria-controls={`${id}-list`}
          aria-activedescendant={activeItem === undefined ? undefined : `${id}-${activeItem.id}`}
          aria-label="Search screens, actions and orders"
          placeholder="Go to a screen, run an action, or search orders by customer, address or id…"
          value={text}
          data-testid="palette-input"
          onChange={(event) => {
            setText(event.target.value);
            setActive(0);
          }}
          onKeyDown={onKeyDown}
        />
        <ul id={`${id}-list`} role="listbox" aria-label="Results" ref={list}>
          {items.map((item, index) => {
            const header = item.group !== lastGroup ? item.group : null;
            lastGroup = item.group;
            return [
              header !== null && (
                <li key={`group-${header}`} className="group" role="presentation">
                  {header}
                </li>
              ),
              <li
                key={item.id}
                id={`${id}-${item.id}`}
                role="option"
                aria-selected={index === current}
                data-item={item.id}
                data-testid={`palette-item-${item.id}`}
                onMouseMove={() => {
                  if (index !== current) setActive(index);
                }}
                onClick={item.run}
              >
                <span>{item.label}</span>
                <span className="spacer" />
                {item.detail !== null && <span className="muted">{item.detail}</span>}
              </li>,
            ];
          })}
        </ul>
        <PaletteStatus
          searching={text.trim().length >= 2 && (text.trim() !== search || orders.isFetching)}
          error={orders.isError ? explainError(orders.error) : null}
          noOrders={search.length >= 2 && orders.isSuccess && orders.data.length === 0}
          nothing={items.length === 0}
          short={text.trim().length < 2}
        />
      </div>
    </div>
  );
}

function PaletteStatus({
  searching,
  error,
  noOrders,
  nothing,
  short,
}: {
  searching: boolean;
  error: string | null;
  noOrders: boolean;
  nothing: boolean;
  short: boolean;
}) {
  let message: string | null = null;
  if (error !== null) message = `Order search failed: ${error}`;
  else if (searching) message = "Searching orders…";
  else if (noOrders) message = nothing ? "Nothing matches: no screen, action or order." : "No order matches.";
  else if (short) message = "Type two or more characters to search orders.";
  if (message === null) return null;
  return (
    <p className={error === null ? "palette-status muted" : "palette-status notice error"} role="status" data-testid="palette-status">
      {message}
    </p>
  );
}
