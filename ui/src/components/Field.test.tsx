import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { CharacteristicField, DateTimeField, Field, SelectField } from "./Field.tsx";

describe("Field", () => {
  it("ties the label to the control and hands the typed text up", async () => {
    const onChange = vi.fn();
    render(<Field label="Payment holder" testId="holder" value="" onChange={onChange} />);
    await userEvent.setup().type(screen.getByLabelText("Payment holder"), "A");
    expect(onChange).toHaveBeenCalledWith("A");
    expect(screen.getByTestId("holder")).not.toHaveAttribute("aria-invalid");
  });

  it("says aria-invalid only when told, false included", () => {
    render(
      <>
        <Field label="Bad" testId="bad" invalid value="" onChange={vi.fn()} />
        <Field label="Good" testId="good" invalid={false} value="" onChange={vi.fn()} />
      </>,
    );
    expect(screen.getByTestId("bad")).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByTestId("good")).toHaveAttribute("aria-invalid", "false");
  });

  it("shows its children under the control", () => {
    render(
      <SelectField label="Action" testId="action" options={["add", { value: "delete", label: "remove" }]} value="add" onChange={vi.fn()}>
        <p>finding</p>
      </SelectField>,
    );
    expect(screen.getByRole("option", { name: "remove" })).toHaveValue("delete");
    expect(screen.getByTestId("action").nextElementSibling).toHaveTextContent("finding");
  });
});

describe("DateTimeField", () => {
  it("shows RFC 3339 in local time and hands null up when cleared", async () => {
    const onChange = vi.fn();
    render(<DateTimeField label="From" testId="from" value="2026-11-26T09:00:00Z" onChange={onChange} />);
    const input = screen.getByLabelText("From");
    expect(input).toHaveAttribute("type", "datetime-local");
    expect(new Date((input as HTMLInputElement).value).toISOString()).toBe("2026-11-26T09:00:00.000Z");
    await userEvent.setup().clear(input);
    expect(onChange).toHaveBeenLastCalledWith(null);
  });
});

describe("CharacteristicField", () => {
  it("picks the control by kind", () => {
    render(
      <>
        <CharacteristicField characteristic={{ name: "static", kind: "boolean", value: "true" }} testId="b" onChange={vi.fn()} />
        <CharacteristicField characteristic={{ name: "speed", kind: "number", value: "100" }} testId="n" onChange={vi.fn()} />
        <CharacteristicField characteristic={{ name: "cfg", kind: "json", value: "{}" }} testId="j1" onChange={vi.fn()} />
        <CharacteristicField characteristic={{ name: "cfg2", kind: "json", value: "{}" }} testId="j2" jsonRows={2} onChange={vi.fn()} />
      </>,
    );
    expect(screen.getByLabelText("static").tagName).toBe("SELECT");
    expect(screen.getByLabelText("speed")).toHaveAttribute("inputmode", "decimal");
    expect(screen.getByTestId("j1").tagName).toBe("INPUT");
    expect(screen.getByTestId("j2").tagName).toBe("TEXTAREA");
  });
});
