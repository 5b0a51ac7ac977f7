import type { Readable } from "node:stream";
import type { SourceArtifact } from "@safehold/plugin-api";

/** The stream of an artifact produced as one file; a folder handed over file by file (`files`) has none. */
export function artifactStream(artifact: SourceArtifact): Readable {
  if ("stream" in artifact) return artifact.stream;
  throw new Error(`The ${artifact.kind} artifact was handed over file by file, not as one stream`);
}
