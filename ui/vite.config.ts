import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// The desktop app's dev build loads http://localhost:1420 (build.devUrl in ../tauri.conf.json),
// so the port is fixed and Vite fails rather than move to another one.
export default defineConfig({
  plugins: [react()],
  clearScreen: false,
  server: {
    host: "localhost",
    port: 1420,
    strictPort: true,
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
  },
  test: {
    environment: "jsdom",
    setupFiles: ["./src/test/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
  },
});
