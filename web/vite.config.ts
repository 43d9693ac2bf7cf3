import { gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";

/** Issue 18's budget for the JavaScript the first page loads, gzipped. */
export const FIRST_PAGE_JS_BUDGET_BYTES = 150 * 1024;

/**
 * Prints the gzipped size of the JavaScript the first page loads (the entry chunk and what it
 * imports statically) and fails the build above the budget.
 */
function firstPageBudget(): Plugin {
  return {
    name: "first-page-js-budget",
    apply: "build",
    generateBundle(_options, bundle) {
      const chunks = new Map(Object.values(bundle).flatMap((item) => (item.type === "chunk" ? [[item.fileName, item] as const] : [])));
      const loaded = new Set<string>();
      const visit = (fileName: string) => {
        if (loaded.has(fileName)) return;
        loaded.add(fileName);
        chunks.get(fileName)?.imports.forEach(visit);
      };
      for (const chunk of chunks.values()) if (chunk.isEntry) visit(chunk.fileName);
      const gzipped = [...loaded].reduce((sum, fileName) => sum + gzipSync(chunks.get(fileName)?.code ?? "").length, 0);
      const line = `first page JavaScript: ${(gzipped / 1024).toFixed(1)} KB gzipped (budget ${FIRST_PAGE_JS_BUDGET_BYTES / 1024} KB)`;
      if (gzipped > FIRST_PAGE_JS_BUDGET_BYTES) this.error(line);
      console.log(line);
    },
  };
}

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/",
  // No public/ folder: every asset is imported by the sources and so bundled.
  publicDir: false,
  logLevel: "warn",
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: fileURLToPath(new URL("../dist/web", import.meta.url)),
    emptyOutDir: true,
    target: "es2022",
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
  plugins: [firstPageBudget()],
});
