import { Transform } from "node:stream";
import type { ArtifactDeclaration } from "@/server/plugins/contracts";
import type { ArtifactKind } from "../keys";
import { CopyRowCounter } from "./copy-row-counter";
import { TarCounter } from "./tar-counter";
import type { BackupProof } from "@/server/db/schema/backups";

export type { BackupProof };

export type ProofTap = {
  /** A pass-through for the artifact's uncompressed content. */
  stream: Transform;
  /** What it counted, once the content ended. */
  result(): Promise<BackupProof>;
};

/**
 * The counter for an artifact, chosen by what its source declares: a SQL dump whose source declares
 * `rowCounts: "pg-copy"` has its COPY rows counted, a tar its files. Other content (e.g. a dump of INSERT
 * statements) has nothing counted: null.
 */
export function proofTap(kind: ArtifactKind, declared: Pick<ArtifactDeclaration, "contentType" | "rowCounts">): ProofTap | null {
  if (kind === "database" && declared.contentType === "application/sql" && declared.rowCounts === "pg-copy") {
    const counter = new CopyRowCounter();
    return {
      stream: new Transform({
        transform(chunk: Buffer, _encoding, done) {
          counter.update(chunk);
          done(null, chunk);
        },
      }),
      result: async () => ({ tables: counter.result() }),
    };
  }
  if (kind === "filestore" && declared.contentType === "application/x-tar") {
    const counter = new TarCounter();
    return {
      stream: new Transform({
        transform(chunk: Buffer, _encoding, done) {
          counter.update(chunk).then(() => done(null, chunk), done);
        },
      }),
      result: async () => {
        const filestore = await counter.result();
        return filestore ? { filestore } : {};
      },
    };
  }
  return null;
}
