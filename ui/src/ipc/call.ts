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

/**
 * What a person can do about a failure, by the desk's error code (never by message text).
 * `null` when the message says it all.
 */
export function whatToDo(error: unknown): string | null {
  switch (errorCode(error)) {
    case "offline":
      return "The server cannot be reached: check the network and the server URL, then try again. Work you capture waits in the outbox.";
    case "unauthorized":
      return "The server does not know this token. Check it, or sign in again.";
    case "forbidden":
      return "Your role does not allow this. Ask a supervisor if you need it done.";
    case "noCachedSession":
      return "This token has not signed in on this desk before; it needs the server once.";
    case "claimedByAnother":
      return "Someone else holds the claim. Wait for it to be released or to expire.";
    case "claimRequired":
      return "Claim the entry first, then try again.";
    case "versionConflict":
      return "The order changed meanwhile. Refresh, check the new state and try again.";
    case "notFound":
      return "It may have been resolved or removed meanwhile. Refresh the list.";
    case "invalidInput":
      return "Correct the highlighted input and try again.";
    case "notSignedIn":
      return "Sign in again.";
    case "serverError":
    case "storage":
    case "internal":
      return "Try again; if it keeps failing, note the time and tell support.";
    default:
      return null;
  }
}

/** The message and, when there is one, what to do: one line for an alert. */
export function explainError(error: unknown): string {
  const hint = whatToDo(error);
  return hint === null ? describeError(error) : `${describeError(error)} ${hint}`;
}
