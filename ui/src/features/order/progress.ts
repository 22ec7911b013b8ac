import { commands, type IpcError } from "../../ipc/bindings.ts";
import { call, DeskError } from "../../ipc/call.ts";
import type { OrderProgressDto } from "./progressTypes.ts";

type ProgressCommand = (
  orderId: string,
) => Promise<{ status: "ok"; data: OrderProgressDto } | { status: "error"; error: IpcError }>;

/**
 * TEMPORARY adapter: `getOrderProgress` is being added to the desktop crate. Until the generated
 * bindings carry it, this looks the command up at run time and, when this build lacks it, fails
 * with the code `notAvailable` so the order screen falls back to the order's own item states.
 * Replace with `call(commands.getOrderProgress(orderId))` once it lands.
 */
export function fetchOrderProgress(orderId: string): Promise<OrderProgressDto> {
  const command = (commands as Partial<Record<string, unknown>>)["getOrderProgress"];
  if (typeof command !== "function") {
    return Promise.reject(
      new DeskError({
        code: "notAvailable",
        message: "This desk cannot read item-level progress yet.",
      }),
    );
  }
  return call((command as ProgressCommand)(orderId));
}
