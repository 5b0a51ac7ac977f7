import { spawn } from "node:child_process";
import fs from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { freePort } from "../ports";
import type { StorageTarget } from "./types";

const BUCKET = "safehold-contract";
const S3RVER_BIN = createRequire(import.meta.url).resolve("s3rver/bin/s3rver.js");

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}


/**
 * s3rver in a child process (so the contract suite's memory measurements see only the client), on a port it
 * picks and prints. It accepts only the access key S3RVER, answering any other with AWS's InvalidAccessKeyId,
 * so `badCredentials` is a real refusal; it does not check SigV4 signatures, so a wrong secret goes unnoticed.
 */
export async function startS3Storage(): Promise<StorageTarget> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "safehold-contract-s3-"));
  const child = spawn(process.execPath, [S3RVER_BIN, "-d", dir, "-a", "127.0.0.1", "-p", "0", "--silent", "--configure-bucket", BUCKET], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const port = await new Promise<number>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on [\d.]+:(\d+)/.exec(output);
      if (!match) return;
      // Keep draining its output so a chatty s3rver never blocks on a full pipe.
      for (const stream of [child.stdout, child.stderr]) stream.off("data", onData).resume();
      resolve(Number(match[1]));
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`s3rver exited with ${code} before listening: ${output.trim()}`)));
  });
  const config = {
    preset: "minio",
    endpoint: `http://127.0.0.1:${port}`,
    region: "us-east-1",
    bucket: BUCKET,
    accessKeyId: "S3RVER",
    secretAccessKey: "S3RVER",
    forcePathStyle: true,
  };
  return {
    provider: "s3",
    config,
    badCredentials: { ...config, accessKeyId: "SAFEHOLDWRONGKEY", secretAccessKey: "wrong-secret" },
    unreachable: { ...config, endpoint: `http://127.0.0.1:${await freePort()}` },
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill();
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** An S3 error answer, as AWS sends it. */
export type S3ErrorAnswer = { status: number; code: string; message: string };

/**
 * A stand-in for an S3 endpoint that refuses in ways s3rver cannot: it lists an empty bucket (or answers
 * `list` when given), answers every PUT with `put` (when given), and accepts deletes. The error bodies are
 * the XML AWS sends, so the SDK sees exactly what it would see from AWS.
 */
export async function startRefusingS3(answers: { list?: S3ErrorAnswer; put?: S3ErrorAnswer }): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const error = req.method === "GET" ? answers.list : req.method === "PUT" ? answers.put : undefined;
      if (error) {
        res.writeHead(error.status, { "content-type": "application/xml" });
        res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${error.code}</Code><Message>${error.message}</Message><RequestId>SAFEHOLDTEST</RequestId></Error>`);
      } else if (req.method === "GET") {
        res.writeHead(200, { "content-type": "application/xml" });
        res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${BUCKET}</Name><KeyCount>0</KeyCount><MaxKeys>1</MaxKeys><IsTruncated>false</IsTruncated></ListBucketResult>`);
      } else {
        res.writeHead(req.method === "DELETE" ? 204 : 200, { etag: '"d41d8cd98f00b204e9800998ecf8427e"' });
        res.end();
      }
    });
  });
  const port = await listen(server);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
