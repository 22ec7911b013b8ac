import { defineConfig } from "vitest/config";

// End-to-end tests: the real desktop app driven over WebDriver (tauri-driver), against the real
// server. Run by scripts/e2e.sh, which starts everything they need; `npm test` does not see
// them (its include is src/**). One app at a time (tauri-driver holds one session), so files
// run one after another, and waits are long: the SOM simulator fulfils orders in real time.
export default defineConfig({
  root: import.meta.dirname,
  test: {
    include: ["**/*.e2e.ts"],
    environment: "node",
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 150_000,
    hookTimeout: 60_000,
    retry: 0,
    reporters: ["verbose"],
  },
});
