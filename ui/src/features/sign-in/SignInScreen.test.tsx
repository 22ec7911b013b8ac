import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { SignInScreen } from "./SignInScreen.tsx";

describe("SignInScreen", () => {
  it("keeps the button disabled until an operator id is typed", async () => {
    const user = userEvent.setup();
    render(<SignInScreen onSignIn={vi.fn()} />);

    const button = screen.getByRole("button", { name: "Sign in" });
    expect(button).toBeDisabled();

    await user.type(screen.getByLabelText("Operator ID"), "   ");
    expect(button).toBeDisabled();

    await user.type(screen.getByLabelText("Operator ID"), "op-7");
    expect(button).toBeEnabled();
  });

  it("hands the trimmed operator id up on submit", async () => {
    const user = userEvent.setup();
    const onSignIn = vi.fn();
    render(<SignInScreen onSignIn={onSignIn} />);

    await user.type(screen.getByLabelText("Operator ID"), "  op-7 {Enter}");

    expect(onSignIn).toHaveBeenCalledExactlyOnceWith("op-7");
  });
});
