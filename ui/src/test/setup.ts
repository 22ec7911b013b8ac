import "@testing-library/jest-dom/vitest";
import { cleanup, configure } from "@testing-library/react";
import { afterEach, vi } from "vitest";

// jsdom lays nothing out, so it has no scrollIntoView; lists that keep the active item in view
// call it.
Element.prototype.scrollIntoView = function scrollIntoView() {
  // Nothing to scroll without layout.
};

// Validation and searches wait for typing to pause; on a machine busy with builds the default
// one second for findBy/waitFor is too tight.
configure({ asyncUtilTimeout: 4000 });

// Vitest runs without globals, so Testing Library cannot register its own cleanup.
afterEach(() => {
  cleanup();
  // Calls recorded by one test must not satisfy the next one's expectations.
  vi.clearAllMocks();
});
