import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { App } from "./App.tsx";

describe("App", () => {
  it("shows the sign-in screen, then the operator once signed in", async () => {
    const user = userEvent.setup();
    render(<App />);

    expect(screen.getByRole("heading", { level: 1, name: "Orderdesk" })).toBeInTheDocument();
    await user.type(screen.getByLabelText("Operator ID"), "op-7");
    await user.click(screen.getByRole("button", { name: "Sign in" }));

    expect(screen.getByText("Signed in as op-7")).toBeInTheDocument();
    expect(screen.queryByLabelText("Operator ID")).not.toBeInTheDocument();
  });
});
