import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { App } from "./App.tsx";
import { commands } from "./ipc/bindings.ts";
import { err, ok } from "./test/desk.ts";
import { renderWithClient, sessions, syncedStatus } from "./test/render.tsx";

vi.mock("./ipc/bindings.ts", async () => (await import("./test/desk.ts")).mockBindings());

function deskAnswers() {
  vi.mocked(commands.getSyncStatus).mockResolvedValue(ok(syncedStatus));
  vi.mocked(commands.listOrders).mockResolvedValue(ok({ items: [], total: 0 }));
  vi.mocked(commands.findQuotes).mockResolvedValue(ok([]));
  vi.mocked(commands.listDrafts).mockResolvedValue(ok([]));
  vi.mocked(commands.listQueue).mockResolvedValue(ok({ items: [], total: 0 }));
  vi.mocked(commands.refreshQueue).mockResolvedValue(ok(0));
  vi.mocked(commands.listCreditExceptions).mockResolvedValue(ok([]));
}

describe("App", () => {
  it("shows sign-in without a session, then the desk of the signed-in user", async () => {
    const user = userEvent.setup();
    deskAnswers();
    vi.mocked(commands.getSession).mockResolvedValue(ok(null));
    vi.mocked(commands.signIn).mockResolvedValue(ok(sessions.agent));
    renderWithClient(<App />);

    await user.click(await screen.findByTestId("sign-in-demo-agent"));

    expect(await screen.findByTestId("session-user")).toHaveTextContent("Demo Agent Agent");
    expect(screen.queryByTestId("sign-in-form")).not.toBeInTheDocument();
  });

  it("restores the session and offers the agent only the agent's screens", async () => {
    const user = userEvent.setup();
    deskAnswers();
    vi.mocked(commands.getSession).mockResolvedValue(ok(sessions.agent));
    renderWithClient(<App />);

    const nav = await screen.findByRole("navigation", { name: "Screens" });
    expect(within(nav).getAllByRole("button").map((b) => b.textContent)).toEqual(["Capture", "My orders"]);
    expect(screen.queryByTestId("nav-history")).not.toBeInTheDocument();

    await user.click(screen.getByTestId("nav-orders"));
    expect(await screen.findByTestId("screen-orders")).toBeInTheDocument();
    expect(screen.getByTestId("nav-orders")).toHaveAttribute("aria-current", "page");
  });

  it("opens the back office on the queue, without credit approvals", async () => {
    deskAnswers();
    vi.mocked(commands.getSession).mockResolvedValue(ok(sessions.backoffice));
    renderWithClient(<App />);

    expect(await screen.findByTestId("screen-queue")).toBeInTheDocument();
    expect(screen.getByTestId("nav-queue")).toHaveAttribute("aria-current", "page");
    expect(screen.queryByTestId("nav-approvals")).not.toBeInTheDocument();
    expect(screen.queryByTestId("nav-history")).not.toBeInTheDocument();
  });

  it("opens a supervisor on credit approvals, with the queue and history too", async () => {
    deskAnswers();
    vi.mocked(commands.getSession).mockResolvedValue(ok(sessions.supervisor));
    renderWithClient(<App />);

    expect(await screen.findByTestId("screen-approvals")).toBeInTheDocument();
    const nav = screen.getByRole("navigation", { name: "Screens" });
    expect(within(nav).getAllByRole("button").map((b) => b.textContent)).toEqual([
      "Capture",
      "My orders",
      "Queue",
      "Credit approvals",
      "History",
    ]);
    expect(screen.getByTestId("session-role")).toHaveTextContent("Supervisor");
  });

  it("signs out back to the sign-in screen", async () => {
    const user = userEvent.setup();
    deskAnswers();
    vi.mocked(commands.getSession).mockResolvedValue(ok(sessions.agent));
    vi.mocked(commands.signOut).mockResolvedValue(ok(null));
    renderWithClient(<App />);

    await user.click(await screen.findByTestId("sign-out"));

    expect(await screen.findByTestId("sign-in-form")).toBeInTheDocument();
    expect(commands.signOut).toHaveBeenCalledOnce();
  });

  it("says when the session cannot be read", async () => {
    vi.mocked(commands.getSession).mockResolvedValue(err("profile", "The profile folder is not writable."));
    renderWithClient(<App />);

    expect(await screen.findByTestId("app-session-error")).toHaveTextContent("The profile folder is not writable.");
  });

  it("runs the keyboard: Ctrl+K palette, g-sequences, / to search and ? for help", async () => {
    const user = userEvent.setup();
    deskAnswers();
    vi.mocked(commands.getSession).mockResolvedValue(ok(sessions.backoffice));
    vi.mocked(commands.syncNow).mockResolvedValue(err("offline", "The server cannot be reached."));
    renderWithClient(<App />);
    await screen.findByTestId("screen-queue");

    await user.keyboard("go");
    expect(await screen.findByTestId("screen-orders")).toBeInTheDocument();
    await user.keyboard("gq");
    expect(await screen.findByTestId("screen-queue")).toBeInTheDocument();

    await user.keyboard("/");
    expect(screen.getByTestId("queue-search")).toHaveFocus();
    await user.keyboard("{Escape}");
    screen.getByTestId("queue-search").blur();

    await user.keyboard("?");
    const help = screen.getByTestId("shortcut-help");
    expect(help).toHaveTextContent("g qGo to Queue");
    expect(help).toHaveTextContent("Ctrl K");
    await user.keyboard("{Escape}");
    expect(screen.queryByTestId("shortcut-help")).not.toBeInTheDocument();

    await user.keyboard("{Control>}k{/Control}");
    expect(screen.getByTestId("palette")).toBeInTheDocument();
    await user.keyboard("sync now{Enter}");
    expect(screen.queryByTestId("palette")).not.toBeInTheDocument();
    expect(commands.syncNow).toHaveBeenCalledOnce();
    expect(await screen.findByTestId("status-sync-error")).toHaveTextContent("Sync failed: The server cannot be reached.");
  });
});
