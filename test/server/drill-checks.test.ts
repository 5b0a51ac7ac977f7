import { describe, expect, it } from "vitest";
import { drillChecks, failedChecksMessage } from "@/server/drills/drill-checks";

describe("a drill's checks against the backup's proof", () => {
  const proof = { tables: { "public.a": 3, "public.b": 1200 }, filestore: { files: 4, bytes: 2048 } };

  it("pass when every table's rows and the files equal what the backup recorded", () => {
    const checks = drillChecks(proof, { tables: { "public.a": 3, "public.b": 1200, "public.extra": 9 }, files: { files: 4, bytes: 2048 }, application: [{ check: "base module installed", ok: true, detail: "base is installed" }] });
    expect(checks.map((c) => [c.check, c.ok, c.detail])).toEqual([
      ["database loaded", true, "the dump loaded with every statement succeeding (ON_ERROR_STOP)"],
      ["row counts", true, "2 tables, 1,203 rows: every count equals the backup's"],
      ["filestore", true, "4 files, 2,048 bytes, as recorded"],
      ["base module installed", true, "base is installed"],
    ]);
    expect(failedChecksMessage(checks)).toBeNull();
  });

  it("name the table and both counts, and the files that differ", () => {
    const checks = drillChecks(proof, { tables: { "public.a": 2 }, files: { files: 3, bytes: 1024 } });
    expect(failedChecksMessage(checks)).toBe(
      "The restored copy differs from the backup: row counts: table public.a has 2 rows, the backup recorded 3; table public.b is missing (the backup recorded 1,200 rows); filestore: 3 files (1,024 bytes) restored, the backup recorded 4 files (2,048 bytes)",
    );
  });

  it("check only the load of a source that records no row counts, and refuse to pass a copy they cannot compare", () => {
    expect(drillChecks({}, null).map((c) => c.detail)).toEqual(["the dump loaded with every statement succeeding (ON_ERROR_STOP)", "row counts not recorded for this source: only the load was checked"]);
    expect(failedChecksMessage(drillChecks({ filestore: { files: 1, bytes: 1 } }, null))).toMatch(/cannot inspect a restored copy/);
  });
});
