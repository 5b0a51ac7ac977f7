import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { buildManifest } from "@/server/backups/manifest";
import { signManifest, verifyManifestSignature } from "@/server/backups/manifest-signature";

const key = randomBytes(32);
const body = {
  format: "safehold-backup/1",
  backupId: "b-1",
  notes: "naïve \"quoted\" — ünïcode ✓\nsecond line",
  source: { type: "odoo", version: "16.0", modules: ["base", "web"], sizeBytes: 9_007_199_254_740_991, ratio: 0.1 },
  requestedBy: null,
  artifacts: [{ kind: "database", key: "o/p/e/b/backup-b-1-database.sql.gz", size: 1234, sha256: "a".repeat(64), chunkSize: 4194304, chunks: ["b".repeat(64)] }],
};

function stored(manifest: object): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

describe("signed manifests", () => {
  it("verify as written, and return the body without the signature", () => {
    const signed = signManifest(body, key);
    expect(signed.signature).toEqual({ algorithm: "HMAC-SHA256", value: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(verifyManifestSignature(stored(signed), key)).toEqual(body);
  });

  it("cover the values, not the layout: reformatted or with the signature moved, a manifest still verifies", () => {
    const signed = signManifest(body, key);
    expect(verifyManifestSignature(JSON.stringify(signed), key)).toEqual(body);
    expect(verifyManifestSignature(JSON.stringify({ signature: signed.signature, ...body }, null, 4), key)).toEqual(body);
  });

  it("refuse any changed value, reordered key, another key's signature, or none", () => {
    const signed = signManifest(body, key);
    const text = stored(signed);
    expect(verifyManifestSignature(text.replace(`"size": 1234`, `"size": 1235`), key)).toBeNull();
    expect(verifyManifestSignature(text.replace("b".repeat(64), "c".repeat(64)), key)).toBeNull();
    expect(verifyManifestSignature(stored({ ...signed, extra: true }), key)).toBeNull();
    const { format, backupId, ...rest } = signed;
    expect(verifyManifestSignature(stored({ backupId, format, ...rest }), key)).toBeNull();
    expect(verifyManifestSignature(stored(signManifest(body, randomBytes(32))), key)).toBeNull();
    expect(verifyManifestSignature(stored(body), key)).toBeNull();
    expect(verifyManifestSignature(stored({ ...body, signature: { algorithm: "none", value: signed.signature.value } }), key)).toBeNull();
    expect(verifyManifestSignature("not json", key)).toBeNull();
    expect(verifyManifestSignature("[1,2]", key)).toBeNull();
  });

  it("are what a backup writes, signed with the console's key", () => {
    const at = new Date("2026-01-02T03:04:05Z");
    const manifest = buildManifest({
      backup: { id: "b-2", type: "manual", name: "n", notes: "", retentionClass: "daily", includeFilestore: false, createdAt: at },
      organization: { id: "o", name: "Org" },
      project: { id: "p", name: "Project" },
      environment: { id: "e", name: "prod", stage: "production" },
      requestedBy: null,
      source: { type: "postgres", metadata: { serverVersion: "15.20", missing: undefined, when: at } },
      startedAt: at,
      finishedAt: at,
      artifacts: [{ kind: "database", key: "k", size: 10, sha256: "d".repeat(64), chunkSize: 4194304, chunks: ["e".repeat(64)] }],
      proof: { tables: { "public.t": 3 } },
    });
    const verified = verifyManifestSignature(manifest.toString("utf8"));
    expect(verified).toMatchObject({ backupId: "b-2", source: { type: "postgres", when: at.toISOString() }, artifacts: [{ kind: "database", chunkSize: 4194304, chunks: ["e".repeat(64)] }] });
    expect(verifyManifestSignature(manifest.toString("utf8"), key)).toBeNull();
  });
});
