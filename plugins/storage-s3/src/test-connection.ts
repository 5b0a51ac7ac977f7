import { randomBytes } from "node:crypto";
import { DeleteObjectCommand, ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import type { TestResult } from "@safehold/plugin-api";
import { createS3Client } from "./s3-client";
import { problemMessage, s3Problem } from "./s3-errors";
import type { S3Settings } from "./settings";

/** Long enough for a slow but working endpoint, short enough that the operator is not left waiting. */
const PROBE_IDLE_TIMEOUT_MS = 10_000;

/**
 * Lists the bucket (not HeadBucket: a HEAD answer has no body, so a 403 could not tell a wrong key from a
 * missing permission, and listing is what retention needs anyway), then writes and deletes a small object.
 */
export async function probeBucket(settings: S3Settings, signal?: AbortSignal): Promise<TestResult> {
  const client = createS3Client(settings, { maxAttempts: 1, idleTimeoutMs: PROBE_IDLE_TIMEOUT_MS });
  const Bucket = settings.bucket;
  const Key = `${settings.prefix}.safehold-write-test-${randomBytes(6).toString("hex")}`;
  const failed = (err: unknown, action: string, firstContact = false): TestResult => {
    let problem = s3Problem(err);
    // Before anything is known to work, an access refusal most likely means the key is not the right one.
    if (firstContact && problem?.kind === "denied") problem = { kind: "refused", code: problem.code };
    return { ok: false, message: problem ? problemMessage(problem, settings, action, Key) : err instanceof Error ? err.message : String(err) };
  };
  try {
    try {
      await client.send(new ListObjectsV2Command({ Bucket, Prefix: settings.prefix, MaxKeys: 1 }), { abortSignal: signal });
    } catch (err) {
      return failed(err, "list", true);
    }
    try {
      await client.send(new PutObjectCommand({ Bucket, Key, Body: "Safehold checks that it may write here; this object is deleted at once.\n" }), { abortSignal: signal });
    } catch (err) {
      return failed(err, "write to");
    }
    try {
      await client.send(new DeleteObjectCommand({ Bucket, Key }), { abortSignal: signal });
    } catch (err) {
      return failed(err, "delete from");
    }
    return { ok: true, message: `Bucket "${Bucket}" at ${settings.displayEndpoint} is reachable and writable` };
  } finally {
    client.destroy();
  }
}
