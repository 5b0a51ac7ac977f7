import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { describe, expect, it } from "vitest";
import { ageDecrypted, ageEncryptor, generateAgeKeyPair } from "@/server/crypto/age-stream";

async function collect(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

async function encrypt(plain: Buffer, recipients: string[]): Promise<Buffer> {
  const encryptor = await ageEncryptor(recipients);
  const out: Buffer[] = [];
  await pipeline(Readable.from([plain.subarray(0, 1000), plain.subarray(1000)]), encryptor, async function* (source) {
    for await (const chunk of source) out.push(Buffer.from(chunk as Uint8Array));
  });
  return Buffer.concat(out);
}

describe("age streams", () => {
  const dir = mkdtempSync(join(tmpdir(), "safehold-age-"));
  const plain = randomBytes(300 * 1024 + 17);

  it("writes what Debian's age CLI decrypts", async () => {
    const keys = await generateAgeKeyPair();
    writeFileSync(join(dir, "key.txt"), `${keys.identity}\n`);
    writeFileSync(join(dir, "out.age"), await encrypt(plain, [keys.recipient]));
    expect(execFileSync("age", ["-d", "-i", join(dir, "key.txt"), join(dir, "out.age")], { maxBuffer: 1 << 24 }).equals(plain)).toBe(true);
  });

  it("reads what Debian's age CLI encrypts", async () => {
    const keys = await generateAgeKeyPair();
    writeFileSync(join(dir, "plain.bin"), plain);
    execFileSync("age", ["-r", keys.recipient, "-o", join(dir, "cli.age"), join(dir, "plain.bin")]);
    const decrypted = await collect(ageDecrypted(Readable.from([readFileSync(join(dir, "cli.age"))]), [keys.identity]));
    expect(decrypted.equals(plain)).toBe(true);
  });

  it("says so when the key is not the one the file was encrypted to", async () => {
    const [writer, other] = [await generateAgeKeyPair(), await generateAgeKeyPair()];
    const sealed = await encrypt(plain, [writer.recipient]);
    await expect(collect(ageDecrypted(Readable.from([sealed]), [other.identity]))).rejects.toThrow(/encrypted to a key this console does not hold/);
  });

  it("fails on a damaged chunk instead of returning altered plaintext", async () => {
    const keys = await generateAgeKeyPair();
    const sealed = await encrypt(plain, [keys.recipient]);
    sealed[sealed.length - 100]! ^= 1;
    await expect(collect(ageDecrypted(Readable.from([sealed]), [keys.identity]))).rejects.toThrow(/damaged or not an age file/);
  });
});
