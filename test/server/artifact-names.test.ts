import { describe, expect, it } from "vitest";
import { artifactFileName, artifactKey, fileNameOf } from "@/server/backups/keys";
import { manifestSchema } from "@/server/plugins/manifest";

const backup = { id: "b1", orgId: "o", projectId: "p", environmentId: "e" };

describe("artifact file names", () => {
  it("are the product guide's for the built-in sources, and follow a source's declared extension", () => {
    expect(artifactFileName("b1", "database")).toBe("backup-b1-database.sql.gz");
    expect(artifactFileName("b1", "filestore")).toBe("backup-b1-filestore.tar.gz");
    expect(artifactFileName("b1", "manifest")).toBe("backup-b1-manifest.json");
    expect(artifactKey(backup, "database", "archive")).toBe("o/p/e/b1/backup-b1-database.archive.gz");
    expect(fileNameOf(artifactKey(backup, "database", "archive"))).toBe("backup-b1-database.archive.gz");
  });

  it("refuse an extension or a media type a manifest cannot mean", () => {
    const manifest = (database: Record<string, unknown>) => ({
      name: "source-demo",
      version: "1.0.0",
      main: "dist/index.js",
      engines: { safehold: "^2.0.0" },
      contributes: { sources: [{ id: "demo", title: "Demo", artifacts: { database }, configSchema: { type: "object", properties: {} } }] },
    });
    expect(manifestSchema.safeParse(manifest({ title: "Archive", extension: "archive", contentType: "application/octet-stream" })).success).toBe(true);
    expect(manifestSchema.safeParse(manifest({ title: "Archive", extension: "../x" })).success).toBe(false);
    expect(manifestSchema.safeParse(manifest({ title: "Archive", contentType: "not a type" })).success).toBe(false);
  });
});
