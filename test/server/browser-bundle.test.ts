import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const CHUNKS = path.resolve(import.meta.dirname, "../../.next/static/chunks");

/**
 * Names that only server code carries: the ORM's column classes, the database driver, the job queue, the
 * console's key handling. The UI imports only types from server/ (a lint rule in eslint.config.mjs) and runs
 * what both sides need from shared/. `server-only` cannot guard the server modules: the worker loads them in
 * plain Node, where that package throws; this test checks the result instead.
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
