import { skipToken, useQuery } from "@tanstack/react-query";

import { commands, type DraftDto } from "../../ipc/bindings.ts";
import { call } from "../../ipc/call.ts";
import { draftProblems } from "./checks.ts";
import { useDebouncedValue } from "./useDebouncedValue.ts";

/** How long the form waits after the last keystroke before validating again. */
export const VALIDATE_DELAY_MS = 300;

/**
 * Local validation and the decomposition preview of the draft being edited, re-run once typing
 * pauses. While a new answer is on its way the previous one stays on screen (for the same
 * draft), so the inline messages do not flicker. A draft with form problems (a number field
 * holding letters...) is not sent: the form shows those problems itself.
 */
export function useDraftChecks(draft: DraftDto | null) {
  const settled = useDebouncedValue(draft, VALIDATE_DELAY_MS);
  const sendable = settled !== null && draftProblems(settled).size === 0 ? settled : null;
  const sameDraft = (key: readonly unknown[] | undefined) =>
    (key?.[2] as DraftDto | undefined)?.id === sendable?.id;

  const validation = useQuery({
    queryKey: ["capture", "validation", sendable] as const,
    queryFn: sendable === null ? skipToken : () => call(commands.validateDraft(sendable)),
    placeholderData: (previous, previousQuery) =>
      sameDraft(previousQuery?.queryKey) ? previous : undefined,
  });
  const decomposition = useQuery({
    queryKey: ["capture", "decomposition", sendable] as const,
    queryFn: sendable === null ? skipToken : () => call(commands.previewDecomposition(sendable)),
    placeholderData: (previous, previousQuery) =>
      sameDraft(previousQuery?.queryKey) ? previous : undefined,
  });

  return {
    validation,
    decomposition,
    /** True while the shown findings may not match what is typed. */
    settling: draft !== settled || validation.isFetching,
  };
}
