// The scratch project's vitest settings (sdk/package_test.ts copies this folder there as test/ and
// this file to its root): the specs under Node with happy-dom, and the *.browser.ts files in
// vitest's browser mode on Debian's Chromium through playwright (no browser download).
import { defineConfig } from "vitest/config";
import { playwright } from "@vitest/browser-playwright";

export default defineConfig({
  test: {
    // The SDK keeps its tracker in module state, one per page load. Inlined, the package goes
    // through vitest's module graph, so vi.resetModules() gives each test a fresh load of it;
    // left to Node's loader it would be one instance for the whole file.
    server: { deps: { inline: ["@shoptrail/sdk"] } },
    projects: [
      { extends: true, test: { name: "node", include: ["test/*.spec.ts"] } },
      {
        extends: true,
        test: {
          name: "chromium",
          include: ["test/*.browser.ts"],
          browser: {
            enabled: true,
            headless: true,
            provider: playwright({
              launchOptions: {
                executablePath: process.env.CHROMIUM_PATH ??
                  "/usr/bin/chromium",
                args: ["--no-sandbox", "--disable-gpu"],
              },
            }),
            instances: [{ browser: "chromium" }],
          },
        },
      },
    ],
  },
});
