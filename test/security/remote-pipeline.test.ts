import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { gunzipSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServerConnection } from "@safehold/plugin-api";
import { builtinPluginHost } from "../helpers/fixtures";
import { makeUserDir, startSshd, type Sshd } from "../helpers/sshd";

/**
 * Compressing on the server runs a command inside a shell pipeline (`command | gzip -c`, `gzip -dc | command`)
 * instead of exec'ing it alone. Every value a source passes comes from an operator's settings (user, database,
 * password, folder), so a value holding shell syntax must reach the program as one literal word and never run.
 */
let sshd: Sshd;
let server: ServerConnection;
let dir: string;
const plugins = builtinPluginHost();
const gzip = { format: "gzip" as const, program: "gzip" };

const marker = (name: string) => path.join(dir, name);
const hostile = (name: string) => [`x'; touch ${marker(name)}; echo '`, `$(touch ${marker(name)}-sub)`, `\`touch ${marker(name)}-tick\``, `a\nb | touch ${marker(name)}-pipe`];

async function read(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function markersLeft(): string[] {
  return fs.readdirSync(dir);
}

beforeAll(async () => {
  sshd = await startSshd({ user: "safehold-ssh-pipe" });
  dir = makeUserDir(sshd, "pipeline-markers");
  server = await (await plugins.serverKind("ssh")).connect(sshd.config);
}, 120_000);

afterAll(async () => {
  await server?.close();
  await sshd?.stop();
});

describe("a command run in a compression pipeline on the server", () => {
  it("(the payload is live) the same values run when pasted into a pipeline's command line", () => {
    const words = hostile("live").map((w) => w.replace(/\n/g, " "));
    execFileSync("sh", ["-c", `printf '%s\\n' ${words.join(" ")} | gzip -c > /dev/null`], { stdio: "ignore" });
    expect(markersLeft().length).toBeGreaterThan(0);
    for (const name of fs.readdirSync(dir)) fs.rmSync(marker(name));
  });

  it("passes hostile arguments and environment values as literal words when compressing its output", async () => {
    const args = hostile("out");
    const run = server.exec("sh", ["-c", 'printf "%s\\n" "$@"; printf "%s\\n" "$SECRET"', "sh", ...args], {
      env: { SECRET: `$(touch ${marker("env")})` },
      compressOutput: gzip,
      lowPriority: true,
    });
    const [out, , exit] = await Promise.all([read(run.stdout), read(run.stderr), run.exit]);
    expect(exit.code).toBe(0);
    expect(gunzipSync(out).toString()).toBe(`${[...args, `$(touch ${marker("env")})`].join("\n")}\n`);
    expect(markersLeft()).toEqual([]);
  });

  it("passes hostile arguments as literal words when decompressing its input", async () => {
    const args = hostile("in");
    const run = server.exec("sh", ["-c", 'cat; printf "%s\\n" "$@"', "sh", ...args], { stdin: Readable.from([gzipSync("the input\n")]), decompressInput: gzip });
    const [out, , exit] = await Promise.all([read(run.stdout), read(run.stderr), run.exit]);
    expect(exit.code).toBe(0);
    expect(out.toString()).toBe(`the input\n${args.join("\n")}\n`);
    expect(markersLeft()).toEqual([]);
  });

  it("compresses at the codec's level, and refuses a level that is not a digit from 1 to 9", async () => {
    const text = Buffer.from(Array.from({ length: 20_000 }, (_, i) => `INSERT INTO t VALUES (${i}, 'row ${i % 97}');\n`).join(""));
    for (const level of [1, 9]) {
      const run = server.exec("cat", [], { stdin: Readable.from([text]), compressOutput: { ...gzip, level } });
      const [out, , exit] = await Promise.all([read(run.stdout), read(run.stderr), run.exit]);
      expect(exit.code).toBe(0);
      // GNU gzip reading a pipe writes no name or time: the same level gives the same bytes here.
      expect(out.equals(execFileSync("gzip", [`-${level}`, "-c"], { input: text }))).toBe(true);
    }
    for (const level of [0, 10, 5.5, `5 -c; touch ${marker("level")}; :` as unknown as number]) {
      expect(() => server.exec("printf", ["data"], { compressOutput: { ...gzip, level } })).toThrow(/is not a whole number from 1 to 9/);
    }
    expect(markersLeft()).toEqual([]);
  });

  it("takes a hostile compressor program as one word: a program of that name, not a command line", async () => {
    const run = server.exec("printf", ["data"], { compressOutput: { format: "gzip", program: `gzip; touch ${marker("program")}` } });
    const [, , exit] = await Promise.all([read(run.stdout), read(run.stderr), run.exit.catch(() => ({ code: null, signal: null }))]);
    expect(exit.code).not.toBe(0);
    expect(markersLeft()).toEqual([]);
  });
});
