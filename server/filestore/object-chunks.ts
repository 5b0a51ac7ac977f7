import { CHUNK_SIZE } from "@/server/backups/chunk-hashes";
import type { ExpectedFile } from "@/server/restores/chunk-verifier";

/*
 * A filestore object is checked as every other stored file is: chunk by chunk, each released only once its sha256
 * matches. An object up to one chunk is checked by its whole sha256 (held whole before release), so only larger
 * objects carry a list of chunk hashes (in the catalog row and the index line). The chunk grows for very large
 * files so the list stays short enough for one index line.
 */

/** The most chunk hashes one object carries: 4096 hex hashes fit well in an index line. */
export const MAX_OBJECT_CHUNKS = 4096;

/** The chunk size of an object of `size` bytes: 1 MiB, doubled until the file has at most `MAX_OBJECT_CHUNKS` chunks. */
export function objectChunkSize(size: number): number {
  let chunk = CHUNK_SIZE;
  while (Math.ceil(size / chunk) > MAX_OBJECT_CHUNKS) chunk *= 2;
  return chunk;
}

/** Whether an object of `size` bytes carries chunk hashes (it is larger than one chunk). */
export function hasChunkList(size: number): boolean {
  return size > CHUNK_SIZE;
}

/** How many chunk hashes an object of `size` bytes carries: none when its whole sha256 is its one chunk. */
export function chunkCount(size: number): number {
  return hasChunkList(size) ? Math.ceil(size / objectChunkSize(size)) : 0;
}

/**
 * What an object's content must be, for `ChunkVerifier`: its chunk hashes, or its whole sha256 as its one chunk when
 * it is small. Null for a large object recorded without chunk hashes (stored before they were kept).
 */
export function expectedObject(kind: string, file: { size: number; sha256: string; chunks?: string[] | null }): ExpectedFile | null {
  if (!hasChunkList(file.size)) return { kind, size: file.size, sha256: file.sha256, chunkSize: CHUNK_SIZE, chunks: file.size === 0 ? [] : [file.sha256] };
  if (!file.chunks || file.chunks.length !== chunkCount(file.size)) return null;
  return { kind, size: file.size, sha256: file.sha256, chunkSize: objectChunkSize(file.size), chunks: file.chunks };
}
