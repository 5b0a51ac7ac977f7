#!/usr/bin/env node
// The CLI runs Safehold's TypeScript sources directly through tsx; the web console is the `next build` output.
import { fileURLToPath } from "node:url";
import { register } from "tsx/esm/api";

register({ tsconfig: fileURLToPath(new URL("../tsconfig.json", import.meta.url)) });
await import("../server/cli/main.ts");
