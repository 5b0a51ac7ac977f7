import type { BackupProof, DrillCheck } from "@/server/db/schema";
import type { StagedInspection } from "@/server/plugins/contracts";

function plural(n: number, word: string): string {
  return `${n.toLocaleString("en")} ${word}${n === 1 ? "" : "s"}`;
}

/**
 * What a drill's restored copy must show against what the backup recorded while it streamed: every table with the
 * same number of rows (a missing table or a different count names the table and both counts), the same files and
 * bytes, and the source's own checks. A backup that recorded no row counts is checked for its load only, as is a copy
 * whose source cannot inspect it (`copy` null) when the backup recorded nothing to compare.
 */
export function drillChecks(proof: BackupProof, copy: StagedInspection | null): DrillCheck[] {
  const checks: DrillCheck[] = [{ check: "database loaded", ok: true, detail: "the dump loaded with every statement succeeding (ON_ERROR_STOP)" }];
  if (!copy) {
    const recorded = proof.tables !== undefined || proof.filestore !== undefined;
    checks.push(
      recorded
        ? { check: "row counts", ok: false, detail: "the backup recorded row counts or files, but this source cannot inspect a restored copy to compare them" }
        : { check: "row counts", ok: true, detail: "row counts not recorded for this source: only the load was checked" },
    );
    return checks;
  }
  if (proof.tables) {
    const expected = Object.entries(proof.tables);
    const differences: string[] = [];
    for (const [table, rows] of expected) {
      const found = copy.tables[table];
      if (found === undefined) differences.push(`table ${table} is missing (the backup recorded ${plural(rows, "row")})`);
      else if (found !== rows) differences.push(`table ${table} has ${plural(found, "row")}, the backup recorded ${rows.toLocaleString("en")}`);
    }
    const total = expected.reduce((sum, [, rows]) => sum + rows, 0);
    checks.push(
      differences.length === 0
        ? { check: "row counts", ok: true, detail: `${plural(expected.length, "table")}, ${plural(total, "row")}: every count equals the backup's` }
        : { check: "row counts", ok: false, detail: differences.slice(0, 5).join("; ") + (differences.length > 5 ? `; and ${differences.length - 5} more` : "") },
    );
  } else {
    checks.push({ check: "row counts", ok: true, detail: "row counts not recorded for this source: only the load was checked" });
  }
  if (proof.filestore) {
    const want = proof.filestore;
    const got = copy.files;
    checks.push(
      !got
        ? { check: "filestore", ok: false, detail: `no files were restored, the backup recorded ${plural(want.files, "file")} (${plural(want.bytes, "byte")})` }
        : got.files === want.files && got.bytes === want.bytes
          ? { check: "filestore", ok: true, detail: `${plural(got.files, "file")}, ${plural(got.bytes, "byte")}, as recorded` }
          : { check: "filestore", ok: false, detail: `${plural(got.files, "file")} (${plural(got.bytes, "byte")}) restored, the backup recorded ${plural(want.files, "file")} (${plural(want.bytes, "byte")})` },
    );
  }
  for (const own of copy.application ?? []) checks.push(own);
  return checks;
}

/** The one line a failed drill shows: its failed checks. */
export function failedChecksMessage(checks: DrillCheck[]): string | null {
  const failed = checks.filter((c) => !c.ok);
  return failed.length === 0 ? null : `The restored copy differs from the backup: ${failed.map((c) => `${c.check}: ${c.detail}`).join("; ")}`;
}
