import { vi } from "vitest";

import type { IpcError } from "../ipc/bindings.ts";

/**
 * Helpers for tests that mock the generated bindings. A test mocks the module with
 *
 *   vi.mock("../../ipc/bindings.ts", async () => (await import("../../test/desk.ts")).mockBindings());
 *
 * and then sets answers with `vi.mocked(commands.listQueue).mockResolvedValue(ok(page))`.
 * Every command starts as a mock that fails with `notMocked`, so a test sees which call it missed.
 */
export function ok<T>(data: T): { status: "ok"; data: T } {
  return { status: "ok", data };
}

export function err(code: string, message: string): { status: "error"; error: IpcError } {
  return { status: "error", error: { code, message } };
}

type Listener = (event: { payload: unknown }) => void;

/** Event listeners the UI registered, so a test can emit an event. */
export const listeners = new Map<string, Set<Listener>>();

/** Delivers an event to the UI's listeners, as the desk would. */
export function emit(name: string, payload: unknown): void {
  for (const listener of listeners.get(name) ?? []) {
    listener({ payload });
  }
}

function mockEvent(name: string) {
  return {
    listen: vi.fn((listener: Listener) => {
      let set = listeners.get(name);
      if (set === undefined) {
        set = new Set();
        listeners.set(name, set);
      }
      set.add(listener);
      return Promise.resolve(() => {
        listeners.get(name)?.delete(listener);
      });
    }),
    once: vi.fn(),
    emit: vi.fn(),
  };
}

/** A stand-in for `src/ipc/bindings.ts`: every command a `vi.fn`, events kept in {@link listeners}. */
export async function mockBindings(): Promise<Record<string, unknown>> {
  const actual = await vi.importActual<typeof import("../ipc/bindings.ts")>("../ipc/bindings.ts");
  const commands = Object.fromEntries(
    Object.keys(actual.commands).map((name) => [
      name,
      vi.fn(() => Promise.resolve(err("notMocked", `${name} is not mocked in this test`))),
    ]),
  );
  return {
    ...actual,
    commands,
    events: {
      orderChanged: mockEvent("order-changed"),
      queueChanged: mockEvent("queue-changed"),
      syncStatusChanged: mockEvent("sync-status-changed"),
    },
  };
}
