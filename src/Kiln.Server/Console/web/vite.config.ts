import { defineConfig } from "vite";

// Built into dist/ and embedded in Kiln.Server: every asset is served by kiln server itself (no CDN).
export default defineConfig({
  base: "/",
  build: { outDir: "dist", emptyOutDir: true, assetsDir: "assets", sourcemap: false, chunkSizeWarningLimit: 600 },
});
