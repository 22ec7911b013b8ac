import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";

import { commands } from "../../ipc/bindings.ts";
import { err, ok } from "../../test/desk.ts";
import { renderWithClient, sessions } from "../../test/render.tsx";
import { SignInScreen } from "./SignInScreen.tsx";

vi.mock("../../ipc/bindings.ts", async () => (await import("../../test/desk.ts")).mockBindings());

function renderSignIn(onSignedIn = vi.fn()) {
  renderWithClient(<SignInScreen onSignedIn={onSignedIn} />);
  return onSignedIn;
}

describe("SignInScreen", () => {
  beforeEach(() => {
    localStorage.clear();
  });

  it("signs in with the typed server URL and token", async () => {
    const user = userEvent.setup();
    vi.mocked(commands.signIn).mockResolvedValue(ok(sessions.agent));
    const onSignedIn = renderSignIn();

    expect(screen.getByLabelText("Server URL")).toHaveValue("http://127.0.0.1:8622");
    expect(screen.getByTestId("sign-in-submit")).toBeDisabled();
    await user.clear(screen.getByLabelText("Server URL"));
    await user.type(screen.getByLabelText("Server URL"), "http://desk.example:9000");
    await user.type(screen.getByLabelText("User token"), "  tok-42 {Enter}");

    expect(commands.signIn).toHaveBeenCalledWith("http://desk.example:9000", "tok-42");
    expect(onSignedIn).toHaveBeenCalledExactlyOnceWith(sessions.agent);
    expect(localStorage.getItem("orderdesk.serverUrl")).toBe("http://desk.example:9000");
  });

  it("signs a demo user in with one click", async () => {
    const user = userEvent.setup();
    vi.mocked(commands.signIn).mockResolvedValue(ok(sessions.agent));
    const onSignedIn = renderSignIn();

    await user.click(screen.getByRole("button", { name: "Demo back office" }));

    expect(commands.signIn).toHaveBeenCalledWith("http://127.0.0.1:8622", "demo-backoffice-1");
    expect(onSignedIn).toHaveBeenCalledOnce();
  });

  it("says why sign-in failed and what to do", async () => {
    const user = userEvent.setup();
    vi.mocked(commands.signIn).mockResolvedValue(err("unauthorized", "The token is not valid."));
    const onSignedIn = renderSignIn();

    await user.type(screen.getByLabelText("User token"), "wrong{Enter}");

    const alert = await screen.findByTestId("sign-in-error");
    expect(alert).toHaveTextContent("Sign-in failed: The token is not valid.");
    expect(alert).toHaveTextContent("The server does not know this token");
    expect(onSignedIn).not.toHaveBeenCalled();
  });

  it("explains an offline first sign-in", async () => {
    const user = userEvent.setup();
    vi.mocked(commands.signIn).mockResolvedValue(err("offline", "The server cannot be reached."));
    renderSignIn();

    await user.click(screen.getByTestId("sign-in-demo-agent"));

    expect(await screen.findByRole("alert")).toHaveTextContent("check the network and the server URL");
  });
});
