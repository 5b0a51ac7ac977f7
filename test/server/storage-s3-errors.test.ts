import { callContext, testOptions } from "@/server/plugins/call-context";
import { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PluginConfig, StorageProviderContribution } from "@/server/plugins/contracts";
import { resolveSettings } from "@/plugins/storage-s3/src/settings";
import { builtinPluginHost } from "../helpers/fixtures";
import { startRefusingS3, startS3Storage } from "../helpers/storage-servers/s3";
import type { StorageTarget } from "../helpers/storage-servers/types";

/**
 * What the S3 provider tells the operator, checked against s3rver where it can produce the situation and
 * against a stand-in answering as AWS does where it cannot (it never checks signatures or permissions).
 */
describe("storage-s3: connection errors, prefixes and download links", () => {
  const plugins = builtinPluginHost();
  let provider: StorageProviderContribution;
  let target: StorageTarget;
  let wrongSecret: Awaited<ReturnType<typeof startRefusingS3>>;
  let readOnly: Awaited<ReturnType<typeof startRefusingS3>>;
  const prefix = `errors-${Date.now()}`;

  beforeAll(async () => {
    provider = await plugins.storageProvider("s3");
    target = await startS3Storage();
    wrongSecret = await startRefusingS3({
      list: { status: 403, code: "SignatureDoesNotMatch", message: "The request signature we calculated does not match the signature you provided. Check your key and signing method." },
    });
    readOnly = await startRefusingS3({ put: { status: 403, code: "AccessDenied", message: "Access Denied" } });
  });

  afterAll(async () => {
    await Promise.all([target?.stop(), wrongSecret?.stop(), readOnly?.stop()]);
  });

  async function testConnection(config: PluginConfig) {
    const client = provider.create(config);
    try {
      return await client.testConnection(callContext("test"), testOptions());
    } finally {
      await client.close?.();
    }
  }

  function withStorage<T>(config: PluginConfig, action: (client: ReturnType<StorageProviderContribution["create"]>) => Promise<T>): Promise<T> {
    const client = provider.create(config);
    return action(client).finally(() => client.close?.());
  }

  it("tells apart an unreachable endpoint, refused credentials, a missing bucket and a read-only key", async () => {
    const endpoint = String(target.config.endpoint);
    const fakeSecret = "fake-secret-never-shown";
    const results = {
      unreachable: await testConnection(target.unreachable!),
      unknownKey: await testConnection(target.badCredentials!),
      wrongSecret: await testConnection({ ...target.config, endpoint: wrongSecret.endpoint, secretAccessKey: fakeSecret }),
      missingBucket: await testConnection({ ...target.config, bucket: "no-such-bucket" }),
      readOnly: await testConnection({ ...target.config, endpoint: readOnly.endpoint, secretAccessKey: fakeSecret }),
    };
    expect(results).toEqual({
      unreachable: { ok: false, message: `Cannot reach ${target.unreachable!.endpoint}: the connection was refused` },
      unknownKey: {
        ok: false,
        message: `${endpoint} refused the credentials for bucket "safehold-contract" (InvalidAccessKeyId): check the access key ID, the secret access key and the key's permissions on the bucket`,
      },
      wrongSecret: {
        ok: false,
        message: `${wrongSecret.endpoint} refused the credentials for bucket "safehold-contract" (SignatureDoesNotMatch): check the access key ID, the secret access key and the key's permissions on the bucket`,
      },
      missingBucket: { ok: false, message: `Bucket "no-such-bucket" does not exist at ${endpoint}` },
      readOnly: { ok: false, message: `The credentials may not write to bucket "safehold-contract" at ${readOnly.endpoint} (AccessDenied)` },
    });
    const kinds = [results.unreachable, results.unknownKey, results.missingBucket, results.readOnly].map((r) => r.message.replace(/http:\/\/127\.0\.0\.1:\d+/g, "<endpoint>"));
    expect(new Set(kinds).size).toBe(4);
    for (const { message } of Object.values(results)) {
      expect(message).not.toMatch(/S3RVER|wrong-secret|fake-secret|\n|\bat .*\.js/);
    }
  });

  it("says a working bucket is reachable and writable, leaving no test object behind", async () => {
    expect(await testConnection(target.config)).toEqual({ ok: true, message: `Bucket "safehold-contract" at ${String(target.config.endpoint)} is reachable and writable` });
    expect(await withStorage(target.config, (s) => s.list(""))).not.toContainEqual(expect.objectContaining({ key: expect.stringContaining("safehold-write-test") }));
  });

  it("reports a configuration the preset cannot complete as a failed test, not an exception", async () => {
    expect(await testConnection({ preset: "r2", bucket: "b", accessKeyId: "k", secretAccessKey: "s" })).toEqual({
      ok: false,
      message: "Cloudflare R2 needs an endpoint, like https://<accountid>.r2.cloudflarestorage.com",
    });
    expect(await testConnection({ preset: "aws", bucket: "b", accessKeyId: "k", secretAccessKey: "s" })).toEqual({ ok: false, message: "Amazon S3 needs a region, like eu-west-1" });
  });

  it("fills the endpoint, region and addressing style the operator left empty from the preset", () => {
    const base = { bucket: "b", accessKeyId: "k", secretAccessKey: "s" };
    const pick = (config: PluginConfig) => {
      const { endpoint, region, forcePathStyle } = resolveSettings({ ...base, ...config });
      return { endpoint, region, forcePathStyle };
    };
    expect(pick({ preset: "aws", region: "eu-west-3" })).toEqual({ endpoint: undefined, region: "eu-west-3", forcePathStyle: false });
    expect(pick({ preset: "r2", endpoint: "https://acc.r2.cloudflarestorage.com" })).toEqual({ endpoint: "https://acc.r2.cloudflarestorage.com", region: "auto", forcePathStyle: false });
    expect(pick({ preset: "b2", region: "us-west-004" })).toEqual({ endpoint: "https://s3.us-west-004.backblazeb2.com", region: "us-west-004", forcePathStyle: false });
    expect(pick({ preset: "spaces", region: "nyc3", endpoint: "" })).toEqual({ endpoint: "https://nyc3.digitaloceanspaces.com", region: "nyc3", forcePathStyle: false });
    expect(pick({ preset: "minio", endpoint: "minio.lan:9000" })).toEqual({ endpoint: "https://minio.lan:9000", region: "us-east-1", forcePathStyle: true });
    expect(pick({ preset: "minio", endpoint: "http://minio.lan:9000/", forcePathStyle: false })).toEqual({ endpoint: "http://minio.lan:9000", region: "us-east-1", forcePathStyle: false });
    expect(pick({ endpoint: "https://s3.example.com" })).toMatchObject({ endpoint: "https://s3.example.com", forcePathStyle: true });
  });

  it("keeps keys relative to the configured prefix, which only the plugin applies", async () => {
    const scoped = { ...target.config, prefix: `/${prefix}/tenant/` };
    await withStorage(scoped, async (s) => {
      await s.put("a/one.txt", Readable.from([Buffer.from("scoped")]));
      expect((await s.list("a/")).map((o) => o.key)).toEqual(["a/one.txt"]);
      expect(Buffer.concat(await (await s.get("a/one.txt")).toArray()).toString()).toBe("scoped");
    });
    await withStorage(target.config, async (s) => expect((await s.list(`${prefix}/`)).map((o) => o.key)).toEqual([`${prefix}/tenant/a/one.txt`]));
  });

  it("reads nothing when resuming at the end of an object", async () => {
    await withStorage(target.config, async (s) => {
      await s.put(`${prefix}/short.txt`, Readable.from([Buffer.from("12345")]));
      expect(Buffer.concat(await (await s.get(`${prefix}/short.txt`, { start: 5 })).toArray()).length).toBe(0);
    });
  });

  it("stops a put when its signal aborts, leaving nothing under the key", async () => {
    const controller = new AbortController();
    let sent = 0;
    const source = new Readable({
      read() {
        sent += 1024 * 1024;
        if (sent === 20 * 1024 * 1024) controller.abort();
        this.push(Buffer.alloc(1024 * 1024, 1));
      },
    });
    await withStorage(target.config, async (s) => {
      await expect(s.put(`${prefix}/aborted.bin`, source, { signal: controller.signal })).rejects.toThrow(/abort/i);
      expect(await s.list(`${prefix}/aborted`)).toEqual([]);
    });
    expect(source.destroyed).toBe(true);
  }, 60_000);

  it("hands out a presigned link that plain fetch downloads as an attachment, until it expires", async () => {
    await withStorage(target.config, async (s) => {
      await s.put(`${prefix}/link.txt`, Readable.from([Buffer.from("shared by link")]));
      const url = await s.presignGet!(`${prefix}/link.txt`, 60, "backup-1-manifest.json");
      const response = await fetch(url);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-disposition")).toBe('attachment; filename="backup-1-manifest.json"');
      expect(await response.text()).toBe("shared by link");

      const shortLived = await s.presignGet!(`${prefix}/link.txt`, 1, "backup-1-manifest.json");
      await sleep(2_500);
      const expired = await fetch(shortLived);
      expect(expired.status).toBe(403);
      expect(await expired.text()).toContain("Request has expired");
    });
  });
});
