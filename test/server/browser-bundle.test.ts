import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const CHUNKS = path.resolve(import.meta.dirname, "../../.next/static/chunks");

/**
 * Names that only server code carries: the ORM's column classes, the database driver, the job queue, the
 * console's key handling. The browser gets enum values and types from isomorphic modules
 * (server/db/schema/enum-values.ts), never the server modules themselves. `server-only` cannot guard them:
 * the worker loads the same modules in plain Node, where that package throws.
 */
const SERVER_MARKERS = ["PgEnumColumn", "PgDialect", "graphile-worker", "SAFEHOLD_SECRET_KEY", "pg_dump", "openSecret"];

describe("the browser bundle", () => {
  it("holds no server code (run after next build, as the test setup does)", () => {
    const files = fs.readdirSync(CHUNKS, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".js"));
    expect(files.length).toBeGreaterThan(10);
    const found: string[] = [];
    for (const file of files) {
      const text = fs.readFileSync(path.join(CHUNKS, file), "utf8");
      for (const marker of SERVER_MARKERS) if (text.includes(marker)) found.push(`${file}: ${marker}`);
    }
    expect(found).toEqual([]);
  });
});
