import { Readable } from "node:stream";
import type { S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";

/** Parts held in memory at once: PART_SIZE × QUEUE_SIZE (32 MB), whatever the size of the object. */
const PART_SIZE = 8 * 1024 * 1024;
const QUEUE_SIZE = 4;

/**
 * Streams `content` to `Key` as a multipart upload (a single PutObject when it fits in one part). S3 shows
 * the object only once CompleteMultipartUpload succeeds, so a failed or aborted upload leaves nothing under
 * the key; lib-storage then aborts the multipart upload so its parts are not kept (and billed).
 * Resolves with the number of bytes read from `content`.
 */
export async function uploadStream(client: S3Client, Bucket: string, Key: string, content: Readable, signal?: AbortSignal): Promise<number> {
  signal?.throwIfAborted();
  let size = 0;
  async function* counted() {
    for await (const chunk of content) {
      const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
      size += bytes.length;
      yield bytes;
    }
  }
  // Byte mode keeps the read-ahead to 16 KB (object mode would buffer 16 chunks of any size).
  const Body = Readable.from(counted(), { objectMode: false });
  // Failing the source (rather than Upload.abort(), which settles at once and lets the upload finish in the
  // background) makes the upload stop reading, abort its multipart upload, and only then reject.
  const onAbort = () => content.destroy(signal?.reason instanceof Error ? signal.reason : new Error("The upload was cancelled"));
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    await new Upload({ client, params: { Bucket, Key, Body }, partSize: PART_SIZE, queueSize: QUEUE_SIZE, leavePartsOnError: false }).done();
    return size;
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
}
