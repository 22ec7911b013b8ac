import type { IpcError } from "./bindings.ts";

/** A failed desk command, thrown so TanStack Query sees it as an error. */
export class DeskError extends Error {
  /** Stable machine code from the desk (`forbidden`, `offline`, `notFound`...). */
  readonly code: string;

  constructor(error: IpcError) {
    super(error.message);
    this.name = "DeskError";
    this.code = error.code;
  }
}

type Result<T> = { status: "ok"; data: T } | { status: "error"; error: IpcError };

/** Awaits a generated command and answers its data, or throws a {@link DeskError}. */
export async function call<T>(result: Promise<Result<T>>): Promise<T> {
  const answered = await result;
  if (answered.status === "error") {
    throw new DeskError(answered.error);
  }
  return answered.data;
}

/** What to tell a person about a failure: the desk's message, or a generic line. */
export function describeError(error: unknown): string {
  if (error instanceof DeskError) {
    return error.message;
  }
  if (error instanceof Error && error.message !== "") {
    return error.message;
  }
  return "Something went wrong. Try again; if it keeps failing, check the sync status.";
}

/** The desk's error code, when the failure came from the desk. */
export function errorCode(error: unknown): string | null {
  return error instanceof DeskError ? error.code : null;
}
