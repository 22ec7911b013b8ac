import { commands, type IpcError } from "../../ipc/bindings.ts";
import { call, DeskError } from "../../ipc/call.ts";
import type { HistoryFilterDto, HistoryPageDto } from "./historyTypes.ts";

type SearchCommand = (
  filter: HistoryFilterDto,
) => Promise<{ status: "ok"; data: HistoryPageDto } | { status: "error"; error: IpcError }>;

/**
 * TEMPORARY adapter: `searchHistory` is being added to the desktop crate. Until the generated
 * bindings carry it, this looks the command up at run time and, when this build lacks it, fails
 * with the code `notAvailable`. Replace with `call(commands.searchHistory(filter))` once it lands.
 */
export function searchHistory(filter: HistoryFilterDto): Promise<HistoryPageDto> {
  const command = (commands as Partial<Record<string, unknown>>)["searchHistory"];
  if (typeof command !== "function") {
    return Promise.reject(
      new DeskError({
        code: "notAvailable",
        message: "This desk cannot search the order history yet.",
      }),
    );
  }
  return call((command as SearchCommand)(filter));
}
