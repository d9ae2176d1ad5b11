/// <reference types="vitest/config" />
import { fileURLToPath, URL } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// `npm run build` writes into the Python package, where `ardea server` serves it at `/`.
// `npm run dev` proxies the API to an `ardea server` on ARDEA_API (default 127.0.0.1:5000).
const api = process.env.ARDEA_API ?? "http://127.0.0.1:5000";

export default defineConfig({
  plugins: [react()],
  resolve: {
    alias: { "@ardea": fileURLToPath(new URL("./src", import.meta.url)) },
  },
  build: {
    outDir: "../src/ardea/server/static/ui",
    emptyOutDir: true,
    // No inline module-preload polyfill: the server's CSP forbids inline scripts.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 600,
  },
  server: {
    // `ardea server --dev` proxies pages from here; the hot-reload websocket comes straight
    // to Vite's own port.
    hmr: { clientPort: 5173 },
    proxy: {
      "/api": api,
      "/ajax-api": api,
      "/get-artifact": api,
    },
  },
  test: {
    environment: "jsdom",
    setupFiles: ["./src/test/setup.ts"],
    css: false,
  },
});
