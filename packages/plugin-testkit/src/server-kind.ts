import { createHash, randomBytes } from "node:crypto";
import net from "node:net";
import path from "node:path";
import { Readable } from "node:stream";
import { gunzipSync, gzipSync } from "node:zlib";
import type { ExecOptions, ServerConnection, ServerKindContribution } from "@safehold/plugin-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testContext, testOptions, text } from "./helpers.js";

export type ServerConnectionContractOptions = {
  /** Opens the connection under test (called once, in beforeAll; closed in afterAll). */
  connect: () => ServerConnection | Promise<ServerConnection>;
  /** A fresh, empty folder on the server that the connection's user may write (`name` may hold spaces and quotes). */
  folder: (name: string) => string | Promise<string>;
  /**
   * Where the server can open a TCP connection to an echo service. Default: one the suite starts on 127.0.0.1 of
   * the test's machine (right for a local server and for an SSH server on the same machine).
   */
  echo?: () => Promise<{ host: string; port: number; stop: () => Promise<void> }>;
};

async function run(server: ServerConnection, command: string, args: string[], options?: ExecOptions) {
  const handle = server.exec(command, args, options);
  const [stdout, stderr, exit] = await Promise.all([text(handle.stdout), text(handle.stderr), handle.exit]);
  return { stdout, stderr, ...exit };
}

async function bytes(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Waits until no process's command line is exactly `commandLine` (as the server sees it). */
async function gone(server: ServerConnection, commandLine: string): Promise<boolean> {
  for (let i = 0; i < 30; i++) {
    if ((await run(server, "pgrep", ["-x", "-f", commandLine])).code === 1) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

async function localEcho(): Promise<{ host: string; port: number; stop: () => Promise<void> }> {
  const server = net.createServer((socket) => socket.pipe(socket));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return { host: "127.0.0.1", port, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

async function unusedPort(): Promise<number> {
  const probe = await localEcho();
  await probe.stop();
  return probe.port;
}

/** Entries of a folder on the server, through the connection itself. */
async function entries(server: ServerConnection, dir: string): Promise<string[]> {
  const { stdout } = await run(server, "ls", ["-A", dir]);
  return stdout.split("\n").filter(Boolean).sort();
}

/**
 * The server connection contract (ServerConnection of @safehold/plugin-api) as vitest cases: exec without a shell,
 * streamed stdin/stdout with backpressure, secrets passed by environment, cwd, missing commands, kill and abort,
 * TCP from the server, and atomic file writes. Needs a POSIX server with sh, printf, sha256sum, pgrep, sleep, ls.
 */
export function describeServerConnectionContract(name: string, options: ServerConnectionContractOptions): void {
  describe(`server connection contract: ${name}`, () => {
    let server: ServerConnection;

    beforeAll(async () => {
      server = await options.connect();
    }, 120_000);

    afterAll(async () => {
      await server?.close();
    });

    it("runs a command and keeps stdout, stderr and the exit status apart", async () => {
      expect(await run(server, "sh", ["-c", "echo out; echo err >&2; exit 3"])).toEqual({ stdout: "out\n", stderr: "err\n", code: 3, signal: null });
    });

    it("passes arguments as they are: no shell reads them", async () => {
      const args = ["it's", "a b", "$HOME", "`id`", '"q"', "back\\slash", "*", "", "line\nbreak", "ünï"];
      expect((await run(server, "printf", ["%s|", ...args])).stdout).toBe(`${args.join("|")}|`);
    });

    it("streams 50 MB of stdin with backpressure, never buffering it", async () => {
      const block = randomBytes(1024 * 1024);
      const hash = createHash("sha256");
      let produced = 0;
      async function* input() {
        for (let i = 0; i < 50; i++) {
          for (let offset = 0; offset < block.length; offset += 64 * 1024) {
            const chunk = block.subarray(offset, offset + 64 * 1024);
            hash.update(chunk);
            produced += chunk.length;
            yield chunk;
          }
        }
      }
      // The command reads nothing for a second: the input must wait for it instead of piling up in memory.
      const handle = server.exec("sh", ["-c", "sleep 1; exec sha256sum"], { stdin: Readable.from(input()) });
      const output = text(handle.stdout);
      await new Promise((r) => setTimeout(r, 800));
      expect(produced).toBeLessThan(16 * 1024 * 1024);
      expect(await handle.exit).toEqual({ code: 0, signal: null });
      expect(produced).toBe(50 * 1024 * 1024);
      expect((await output).split(" ")[0]).toBe(hash.digest("hex"));
    });

    it("streams stdout at the reader's pace", async () => {
      const handle = server.exec("sh", ["-c", "head -c 52428800 /dev/zero; echo finished >&2"]);
      let finished = false;
      const stderr = text(handle.stderr).finally(() => (finished = true));
      // Nobody reads stdout for a while: the command must be held up, not its output collected in memory.
      await new Promise((r) => setTimeout(r, 800));
      expect(finished).toBe(false);
      let received = 0;
      for await (const chunk of handle.stdout) received += (chunk as Buffer).length;
      expect(received).toBe(52428800);
      expect(await stderr).toBe("finished\n");
      expect(await handle.exit).toEqual({ code: 0, signal: null });
    });

    it("delivers environment variables without showing them on any command line", async () => {
      const secret = `pw-${randomBytes(8).toString("hex")} with 'quotes', $dollar and \\backslash`;
      const script = 'for f in /proc/[0-9]*/cmdline; do tr "\\0" " " < "$f"; echo; done 2>/dev/null; printf "SECRET=%s\\n" "$SECRET"';
      const { stdout, code } = await run(server, "sh", ["-c", script], { env: { SECRET: secret, EMPTY: "" } });
      expect(code).toBe(0);
      const lines = stdout.trimEnd().split("\n");
      expect(lines.pop()).toBe(`SECRET=${secret}`);
      expect(lines.length).toBeGreaterThan(1);
      expect(lines.join("\n")).not.toContain(secret.slice(0, 19));
    });

    it("gives the command its binary stdin intact after the environment values", async () => {
      const bytes = Buffer.concat([Buffer.from("\n\n"), Buffer.from(Array.from({ length: 256 * 1024 }, (_, i) => i % 256))]);
      const { stdout, code } = await run(server, "sh", ["-c", 'printf "%s|%s\\n" "$A" "$B"; exec sha256sum'], { env: { A: "first", B: "  second  " }, stdin: Readable.from([bytes]) });
      expect(code).toBe(0);
      expect(stdout).toBe(`first|  second  \n${createHash("sha256").update(bytes).digest("hex")}  -\n`);
    });

    it("runs in the given folder", async () => {
      const dir = await options.folder("it's a dir");
      expect((await run(server, "pwd", [], { cwd: dir })).stdout).toBe(`${dir}\n`);
    });

    it("says which command is missing", async () => {
      const handle = server.exec("safehold-no-such-command", ["x"]);
      await expect(handle.exit).rejects.toThrow('Command "safehold-no-such-command" is not installed on this server (not found in PATH)');
      await Promise.all([text(handle.stdout), text(handle.stderr)]);
      // A command that runs and exits 127 itself is not a missing command.
      expect(await run(server, "sh", ["-c", "echo 'tool: not found' >&2; exit 127"])).toMatchObject({ code: 127, stderr: "tool: not found\n" });
    });

    it("stops the command on kill() and on abort", async () => {
      // A duration no other test uses, so pgrep finds only this one.
      const seconds = `41.${1000 + Math.floor(Math.random() * 9000)}`;
      const handle = server.exec("sleep", [seconds]);
      setTimeout(() => handle.kill(), 300);
      const started = Date.now();
      expect(await handle.exit).toEqual({ code: null, signal: "SIGTERM" });
      expect(Date.now() - started).toBeLessThan(5000);
      expect(await gone(server, `sleep ${seconds}`)).toBe(true);

      const controller = new AbortController();
      const aborted = server.exec("sleep", [seconds], { signal: controller.signal });
      setTimeout(() => controller.abort(), 300);
      expect(await aborted.exit).toEqual({ code: null, signal: "SIGTERM" });
      expect(await gone(server, `sleep ${seconds}`)).toBe(true);
    });

    it("stops a command whose reader gave up: destroyed output, then kill()", async () => {
      // `yes` writes until stopped: once nobody reads, it blocks on a full pipe (or SSH window) until killed.
      const marker = `safehold-reader-gone-${Math.random().toString(36).slice(2)}`;
      const handle = server.exec("yes", [marker]);
      for await (const _chunk of handle.stdout) break;
      handle.stdout.destroy();
      handle.kill();
      handle.stderr.resume();
      const started = Date.now();
      // Killed, or ended by the closed pipe first (exit 1 or SIGPIPE): either way it settles and the command is gone.
      await handle.exit;
      expect(Date.now() - started).toBeLessThan(5000);
      expect(await gone(server, `yes ${marker}`)).toBe(true);
    });

    it("opens TCP connections from the server, both ways", async () => {
      const echo = await (options.echo ?? localEcho)();
      try {
        const socket = await server.openTcp(echo.host, echo.port);
        const payload = randomBytes(256 * 1024);
        const received: Buffer[] = [];
        let size = 0;
        await new Promise<void>((resolve, reject) => {
          socket.on("data", (chunk: Buffer) => {
            received.push(chunk);
            size += chunk.length;
            if (size >= payload.length) resolve();
          });
          socket.on("error", reject);
          socket.write(payload);
        });
        socket.destroy();
        expect(Buffer.concat(received).equals(payload)).toBe(true);
      } finally {
        await echo.stop();
      }
    });

    it("says when nothing listens at the other end", async () => {
      const port = await unusedPort();
      await expect(server.openTcp("127.0.0.1", port)).rejects.toThrow(`Nothing is listening on 127.0.0.1:${port} (connection refused)`);
    });

    it("writes and reads back a file, replacing an existing one and leaving no partial file", async () => {
      const dir = await options.folder("files");
      const file = path.posix.join(dir, "data.bin");
      const content = randomBytes(3 * 1024 * 1024 + 17);
      await server.writeFile(file, Readable.from([Buffer.from("old")]));
      await server.writeFile(file, Readable.from([content.subarray(0, 1000), content.subarray(1000)]));
      const chunks: Buffer[] = [];
      for await (const chunk of await server.readFile(file)) chunks.push(chunk as Buffer);
      expect(Buffer.concat(chunks).equals(content)).toBe(true);
      expect(await entries(server, dir)).toEqual(["data.bin"]);
    });

    it("creates the parent folders of a file it writes", async () => {
      const file = path.posix.join(await options.folder("nested"), "a", "b c", "file.txt");
      await server.writeFile(file, Readable.from([Buffer.from("hello")]));
      expect(await text(await server.readFile(file))).toBe("hello");
    });

    it("leaves nothing behind when the content fails midway", async () => {
      const dir = await options.folder("failing");
      async function* failing() {
        yield randomBytes(100_000);
        throw new Error("the source broke");
      }
      await expect(server.writeFile(path.posix.join(dir, "file.bin"), Readable.from(failing()))).rejects.toThrow("the source broke");
      expect(await entries(server, dir)).toEqual([]);
    });

    it("names a file that cannot be read", async () => {
      const file = path.posix.join(await options.folder("missing"), "nope.txt");
      await expect(server.readFile(file)).rejects.toThrow(`${file} does not exist or cannot be read`);
    });

    it("compresses on the server only when it says it can, keeping the command's exit status and stderr", async () => {
      const gzip = { format: "gzip" as const, program: "gzip" };
      const missing = { format: "gzip" as const, program: "/nonexistent/gzip" };
      expect(await server.canCompress?.(missing, {})).toMatchObject({ ok: false, reason: expect.any(String) });
      const answer = (await server.canCompress?.(gzip, {})) ?? { ok: false };
      if (!answer.ok) return;
      const handle = server.exec("sh", ["-c", "printf 'abc%.0s' $(seq 1000); echo oops >&2; exit 5"], { compressOutput: gzip, lowPriority: true });
      const [out, stderr, exit] = await Promise.all([bytes(handle.stdout), text(handle.stderr), handle.exit]);
      expect(gunzipSync(out).toString()).toBe("abc".repeat(1000));
      expect(out.length).toBeLessThan(1000);
      expect({ stderr, code: exit.code }).toEqual({ stderr: "oops\n", code: 5 });
      const input = Readable.from([gzipSync(Buffer.from("compressed input\n"))]);
      expect(await run(server, "cat", [], { stdin: input, decompressInput: gzip })).toMatchObject({ stdout: "compressed input\n", code: 0 });
      const notGzip = await run(server, "cat", [], { stdin: Readable.from([Buffer.from("plain")]), decompressInput: gzip });
      expect(notGzip.code).not.toBe(0);
    });
  });
}

/** The server kind's own contract: testConnection(ctx, { signal }) reports a TestResult for working settings. */
export function describeServerKindContract(name: string, options: { kind: () => ServerKindContribution | Promise<ServerKindContribution>; config: () => Record<string, unknown> }): void {
  describe(`server kind contract: ${name}`, () => {
    it("tests working settings with ok: true and one sentence", async () => {
      const kind = await options.kind();
      const result = await kind.testConnection({ config: options.config(), ...testContext() }, testOptions());
      expect(result).toMatchObject({ ok: true, message: expect.any(String) });
    });

    it("connects and closes", async () => {
      const kind = await options.kind();
      const connection = await kind.connect(options.config());
      await connection.close();
    });
  });
}
