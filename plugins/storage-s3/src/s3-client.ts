import { S3Client } from "@aws-sdk/client-s3";
import type { S3Settings } from "./settings";

/** An endpoint that does not accept a TCP connection within this time is reported as unreachable. */
const CONNECT_TIMEOUT_MS = 5_000;

export type S3ClientOptions = {
  /** 1 for "Test connection" (the operator waits for the answer); a few for transfers, which retry a flaky part. */
  maxAttempts: number;
  /**
   * A request whose socket sees no traffic for this long fails. Left unset for downloads: their consumer may
   * pause for minutes (a restore waiting on PostgreSQL) without the server being at fault.
   */
  idleTimeoutMs?: number;
};

/** True for the answer of a server that has no AbortMultipartUpload (s3rver says 405). */
function lacksAbortMultipartUpload(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.$metadata?.httpStatusCode === 405 || e.name === "NotImplemented" || e.name === "MethodNotAllowed";
}

export function createS3Client(settings: S3Settings, options: S3ClientOptions): S3Client {
  const client = new S3Client({
    endpoint: settings.endpoint,
    region: settings.region,
    forcePathStyle: settings.forcePathStyle,
    credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey },
    maxAttempts: options.maxAttempts,
    // The defaults send streamed bodies aws-chunked with trailing checksums, which several S3-compatible
    // servers store verbatim (framing included) or refuse.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    requestHandler: { connectionTimeout: CONNECT_TIMEOUT_MS, socketTimeout: options.idleTimeoutMs },
  });
  // lib-storage aborts a failed multipart upload and then throws the abort's error instead of the failure's
  // when the abort itself fails. A server without AbortMultipartUpload cannot free the parts anyway, so that
  // one refusal is not worth hiding the real error for; every other abort failure still surfaces.
  client.middlewareStack.add(
    (next, context) => async (args) => {
      try {
        return await next(args);
      } catch (err) {
        if (context.commandName !== "AbortMultipartUploadCommand" || !lacksAbortMultipartUpload(err)) throw err;
        return { output: { $metadata: {} }, response: undefined };
      }
    },
    { step: "initialize", name: "tolerateMissingAbortMultipartUpload" },
  );
  return client;
}
