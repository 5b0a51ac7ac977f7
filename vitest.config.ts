import path from "node:path";
import { defineConfig } from "vitest/config";

const root = path.dirname(new URL(import.meta.url).pathname);

export default defineConfig({
  resolve: {
    alias: [
      { find: /^@\//, replacement: `${root}/` },
    ],
  },
  test: {
    environment: "node",
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/helpers/global-setup.ts"],
    // Vitest's default is one fewer than the cores: one file at a time on a 2-core CI machine, while most files wait
    // on spawned consoles, servers and browsers. Two at a time took the suite from serial to parallel, and passed
    // under a load of 14 on such a machine.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 300_000,
    env: {
      SAFEHOLD_SECRET_KEY: "test-secret-key-for-the-safehold-test-suite-0123456789",
      NEXT_TELEMETRY_DISABLED: "1",
    },
    server: { deps: { inline: ["next-auth"] } },
  },
});
