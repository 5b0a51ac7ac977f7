import { execFile, execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PluginConfig, ServerConnection, ServerKindContribution } from "@/server/plugins/contracts";
import { adminDatabaseUrl } from "../helpers/database";
import { BUILTIN_PLUGINS, builtinPluginHost } from "../helpers/fixtures";
import { makeUserDir, startSshd, type Sshd } from "../helpers/sshd";
import { freePort } from "../helpers/ports";

// Two sshd processes with their own host keys stand in for two hosts. Started in beforeAll, so a run whose
// filter skips every test starts (and leaves) none.
let hostA: Sshd;
let hostB: Sshd;
const plugins = builtinPluginHost();

beforeAll(async () => {
  hostA = await startSshd({ user: "safehold-ssh-a" });
  hostB = await startSshd({ user: "safehold-ssh-b" });
});

afterAll(async () => {
  await hostA?.stop();
  await hostB?.stop();
});

async function text(stream: Readable): Promise<string> {
  let out = "";
  for await (const chunk of stream) out += (chunk as Buffer).toString("utf8");
  return out;
}

async function run(server: ServerConnection, command: string, args: string[], options?: Parameters<ServerConnection["exec"]>[2]) {
  const handle = server.exec(command, args, options);
  const [stdout, stderr, exit] = await Promise.all([text(handle.stdout), text(handle.stderr), handle.exit]);
  return { stdout, stderr, ...exit };
}


/** Waits until no process's command line is exactly `commandLine` (as the server sees it). */
async function gone(server: ServerConnection, commandLine: string): Promise<boolean> {
  for (let i = 0; i < 30; i++) {
    if ((await run(server, "pgrep", ["-x", "-f", commandLine])).code === 1) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

type Kind = { kind: "local" | "ssh"; config: () => PluginConfig; folder: (name: string) => string };

const kinds: Kind[] = [
  { kind: "local", config: () => ({}), folder: (name) => fs.mkdtempSync(path.join(os.tmpdir(), `safehold-${name}-`)) },
  { kind: "ssh", config: () => hostA.config, folder: (name) => makeUserDir(hostA, `${name}-${randomBytes(3).toString("hex")}`) },
];

describe.each(kinds)("server connection contract: $kind", ({ kind, config, folder }) => {
  let server: ServerConnection;

  beforeAll(async () => {
    server = await (await plugins.serverKind(kind)).connect(config());
  });

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
    const dir = folder("it's a dir");
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
    const seconds = kind === "local" ? "41.1" : "41.2";
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

  it("opens TCP connections from the server: postgres.js runs a query through one", async () => {
    const url = new URL(adminDatabaseUrl());
    const port = Number(url.port || 5432);
    const sql = postgres(url.toString(), { max: 1, onnotice: () => {}, ...({ socket: () => server.openTcp(url.hostname, port) } as object) });
    expect(await sql`select 1 as one`).toEqual([{ one: 1 }]);
    await sql.end({ timeout: 5 });
  });

  it("says when nothing listens at the other end", async () => {
    const port = await freePort();
    await expect(server.openTcp("127.0.0.1", port)).rejects.toThrow(`Nothing is listening on 127.0.0.1:${port} (connection refused)`);
  });

  it("writes and reads back a file, replacing an existing one and leaving no partial file", async () => {
    const dir = folder("files");
    const file = path.join(dir, "data.bin");
    const content = randomBytes(3 * 1024 * 1024 + 17);
    await server.writeFile(file, Readable.from([Buffer.from("old")]));
    await server.writeFile(file, Readable.from([content.subarray(0, 1000), content.subarray(1000)]));
    const chunks: Buffer[] = [];
    for await (const chunk of await server.readFile(file)) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).equals(content)).toBe(true);
    expect(fs.readdirSync(dir)).toEqual(["data.bin"]);
  });

  it("creates the parent folders of a file it writes", async () => {
    const file = path.join(folder("nested"), "a", "b c", "file.txt");
    await server.writeFile(file, Readable.from([Buffer.from("hello")]));
    expect(await text(await server.readFile(file))).toBe("hello");
  });

  it("leaves nothing behind when the content fails midway", async () => {
    const dir = folder("failing");
    async function* failing() {
      yield randomBytes(100_000);
      throw new Error("the source broke");
    }
    await expect(server.writeFile(path.join(dir, "file.bin"), Readable.from(failing()))).rejects.toThrow("the source broke");
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it("names a file that cannot be read", async () => {
    const file = path.join(folder("missing"), "nope.txt");
    await expect(server.readFile(file)).rejects.toThrow(`${file} does not exist or cannot be read`);
  });
});

describe("ssh server kind", () => {
  let ssh: ServerKindContribution;
  let keyDir: string;

  function keyPair(name: string, passphrase = ""): { privateKey: string; publicKey: string } {
    const file = path.join(keyDir, name);
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", passphrase, "-f", file]);
    return { privateKey: fs.readFileSync(file, "utf8"), publicKey: fs.readFileSync(`${file}.pub`, "utf8") };
  }

  beforeAll(async () => {
    ssh = await plugins.serverKind("ssh");
    keyDir = fs.mkdtempSync(path.join(os.tmpdir(), "safehold-ssh-keys-"));
  });

  afterAll(() => fs.rmSync(keyDir, { recursive: true, force: true }));

  describe("host key pinning", () => {
    it("Test connection shows an unpinned host key and offers to pin it", async () => {
      const result = await ssh.testConnection({ ...hostA.config, hostKeyFingerprint: "" });
      expect(result.ok).toBe(true);
      expect(result.message).toMatch(
        new RegExp(`^Connected as ${hostA.username}@127\\.0\\.0\\.1:${hostA.port} \\(Linux [^)]+\\); host key ${hostA.fingerprint.replace(/[+/]/g, "\\$&")} is not pinned yet: check it and confirm it$`),
      );
      expect(result.details).toEqual({ hostKeyFingerprint: hostA.fingerprint, pin: { field: "hostKeyFingerprint", value: hostA.fingerprint, title: "Host key fingerprint" } });
    });

    it("Test connection confirms a pinned host key", async () => {
      const result = await ssh.testConnection(hostA.config);
      expect(result.ok).toBe(true);
      expect(result.message).toMatch(/\); host key SHA256:\S+ matches the pinned one$/);
      expect(result.details).toEqual({ hostKeyFingerprint: hostA.fingerprint });
    });

    it("refuses to connect before a host key is pinned", async () => {
      await expect(ssh.connect({ ...hostA.config, hostKeyFingerprint: "" })).rejects.toThrow(
        `The host key of 127.0.0.1:${hostA.port} is not pinned yet: test the connection on the Servers page and confirm its fingerprint`,
      );
    });

    it("refuses a host whose key changed, and Test connection offers the new key", async () => {
      const message =
        `The host key of 127.0.0.1:${hostA.port} has changed: the server now presents ${hostA.fingerprint} but ${hostB.fingerprint} is pinned. ` +
        "Refusing to connect; if the server was reinstalled, confirm the new fingerprint in the server's settings";
      const moved = { ...hostA.config, hostKeyFingerprint: hostB.fingerprint };
      await expect(ssh.connect(moved)).rejects.toThrow(message);
      expect(await ssh.testConnection(moved)).toEqual({
        ok: false,
        message,
        details: { hostKeyFingerprint: hostA.fingerprint, pin: { field: "hostKeyFingerprint", value: hostA.fingerprint, title: "Host key fingerprint" } },
      });
    });

    it("refuses a pinned value that is not a fingerprint", async () => {
      await expect(ssh.connect({ ...hostA.config, hostKeyFingerprint: "MD5:aa:bb" })).rejects.toThrow(/^The pinned host key fingerprint "MD5:aa:bb" is not an OpenSSH SHA256 fingerprint/);
    });
  });

  describe("keys and reachability", () => {
    const refused = (user: string) => `The server refused the key for user "${user}" (public key authentication failed): add its public key to ~/.ssh/authorized_keys on the server`;

    it("says when the server refuses the key", async () => {
      const other = { ...hostA.config, privateKey: keyPair("unknown").privateKey };
      await expect(ssh.connect(other)).rejects.toThrow(refused(hostA.username));
      expect(await ssh.testConnection(other)).toMatchObject({ ok: false, message: refused(hostA.username), details: { hostKeyFingerprint: hostA.fingerprint } });
    });

    it("uses a key protected by a passphrase, and says when the passphrase is missing or wrong", async () => {
      const key = keyPair("protected", "correct horse");
      hostA.authorize(key.publicKey);
      const config = { ...hostA.config, privateKey: key.privateKey };
      expect(await ssh.testConnection(config)).toEqual({ ok: false, message: "The private key is protected by a passphrase: enter it in Passphrase" });
      expect(await ssh.testConnection({ ...config, passphrase: "wrong" })).toEqual({ ok: false, message: "The passphrase does not unlock the private key" });
      expect((await ssh.testConnection({ ...config, passphrase: "correct horse" })).ok).toBe(true);
    });

    it("says when the private key is not one", async () => {
      expect((await ssh.testConnection({ ...hostA.config, privateKey: "not a key" })).message).toMatch(/^The private key cannot be read: paste the whole private key file/);
      expect((await ssh.testConnection({ ...hostA.config, privateKey: keyPair("public").publicKey })).message).toBe("This is a public key: paste the private key (the key file without .pub)");
      // Pasted from Windows: CRLF line ends and no final newline are fine.
      const pasted = await ssh.testConnection({ ...hostA.config, privateKey: hostA.privateKey.trim().replace(/\n/g, "\r\n") });
      expect(pasted.ok, pasted.message).toBe(true);
    });

    it("says quickly when nothing listens", async () => {
      const port = await freePort();
      const started = Date.now();
      await expect(ssh.connect({ ...hostA.config, port })).rejects.toThrow(`Nothing is listening on 127.0.0.1:${port} (connection refused)`);
      expect(await ssh.testConnection({ ...hostA.config, port })).toEqual({ ok: false, message: `Nothing is listening on 127.0.0.1:${port} (connection refused)` });
      expect(Date.now() - started).toBeLessThan(3000);
      expect((await ssh.testConnection({ ...hostA.config, host: "no-such-host.invalid" })).message).toBe("Host no-such-host.invalid cannot be resolved");
    });

    it("gives up on a server that never answers after 10 s", async () => {
      const silent = net.createServer(() => {}).listen(0, "127.0.0.1");
      await new Promise((r) => silent.once("listening", r));
      const { port } = silent.address() as net.AddressInfo;
      const started = Date.now();
      expect(await ssh.testConnection({ ...hostA.config, port })).toEqual({ ok: false, message: `No answer from the SSH server at 127.0.0.1:${port} within 10 s` });
      expect(Date.now() - started).toBeLessThan(12_000);
      silent.close();
    }, 20_000);
  });

  describe("commands", () => {
    let server: ServerConnection;
    beforeAll(async () => {
      server = await ssh.connect(hostA.config);
    });
    afterAll(() => server.close());

    it("refuses environment values it cannot pass safely", async () => {
      expect(() => server.exec("true", [], { env: { PASSWORD: "two\nlines" } })).toThrow("Environment variable PASSWORD cannot be passed over SSH: its value contains a line break");
      expect(() => server.exec("true", [], { env: { "BAD-NAME": "x" } })).toThrow('"BAD-NAME" is not a valid environment variable name');
    });

    it("runs as the SSH user", async () => {
      expect((await run(server, "id", ["-un"])).stdout).toBe(`${hostA.username}\n`);
    });
  });

  describe("a stricter server: no TCP forwarding, 2 sessions per connection", () => {
    let strict: Sshd;
    let server: ServerConnection;
    beforeAll(async () => {
      strict = await startSshd({ user: "safehold-ssh-b", sshdConfig: ["AllowTcpForwarding no", "MaxSessions 2"] });
      server = await ssh.connect(strict.config);
    });
    afterAll(async () => {
      await server?.close();
      await strict?.stop();
    });

    it("says that TCP forwarding is not allowed", async () => {
      await expect(server.openTcp("127.0.0.1", 5432)).rejects.toThrow(
        `The SSH server at 127.0.0.1:${strict.port} does not allow TCP forwarding (needed to reach 127.0.0.1:5432): set AllowTcpForwarding yes for user "safehold-ssh-b" in its sshd_config`,
      );
    });

    it("carries fewer commands per connection when the server refuses more sessions", async () => {
      const results = await Promise.all(Array.from({ length: 12 }, (_, i) => run(server, "sh", ["-c", 'sleep 0.2; echo "$1"', "sh", String(i)])));
      expect(results.map((r) => r.stdout.trim())).toEqual(Array.from({ length: 12 }, (_, i) => String(i)));
    });
  });

  describe("connection reuse", () => {
    // A TCP relay in front of sshd counts the SSH connections the plugin opens.
    let relay: net.Server;
    const sockets = new Set<net.Socket>();
    let opened = 0;
    let config: PluginConfig;

    beforeAll(async () => {
      relay = net.createServer((incoming) => {
        opened++;
        const upstream = net.connect({ host: "127.0.0.1", port: hostA.port });
        for (const s of [incoming, upstream]) {
          sockets.add(s);
          s.on("error", () => {});
          s.on("close", () => {
            sockets.delete(s);
            incoming.destroy();
            upstream.destroy();
          });
        }
        incoming.pipe(upstream).pipe(incoming);
      });
      await new Promise<void>((r) => relay.listen(0, "127.0.0.1", r));
      config = { ...hostA.config, port: (relay.address() as net.AddressInfo).port };
    });

    afterAll(() => {
      for (const s of sockets) s.destroy();
      relay.close();
    });

    it("runs 20 commands at once over at most 4 connections, and reuses them", async () => {
      const batch = async () => {
        const server = await ssh.connect(config);
        const results = await Promise.all(Array.from({ length: 20 }, (_, i) => run(server, "sh", ["-c", 'sleep 0.3; echo "$1"', "sh", String(i)])));
        await server.close();
        return results.map((r) => r.stdout.trim());
      };
      const expected = Array.from({ length: 20 }, (_, i) => String(i));
      expect(await batch()).toEqual(expected);
      expect(opened).toBeGreaterThanOrEqual(1);
      expect(opened).toBeLessThanOrEqual(4);
      // A second batch on fresh connections would need at least 3 more.
      expect(await batch()).toEqual(expected);
      expect(opened).toBeLessThanOrEqual(4);
    });

    it("replaces a connection that broke", async () => {
      const server = await ssh.connect(config);
      for (const s of sockets) s.destroy();
      await new Promise((r) => setTimeout(r, 200));
      expect((await run(server, "echo", ["again"])).stdout).toBe("again\n");
      await server.close();
    });
  });

  it("never keeps a Node process running once its connections are closed", async () => {
    const script = `
      const { activate } = await import(${JSON.stringify(path.join(BUILTIN_PLUGINS, "server-ssh/dist/index.js"))});
      const server = await activate().serverKinds.ssh.connect(JSON.parse(process.env.SSH_CONFIG));
      const run = server.exec("echo", ["hi"]);
      run.stdout.resume();
      await run.exit;
      await server.close();
      console.log("done");
    `;
    const started = Date.now();
    const output = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ["--input-type=module", "-e", script], { env: { ...process.env, SSH_CONFIG: JSON.stringify(hostA.config) }, timeout: 20_000 }, (err, stdout) =>
        err ? reject(err) : resolve(stdout),
      ),
    );
    expect(output.trim()).toBe("done");
    // The pooled connection stays open for 30 s of idleness, but must not hold the process that long.
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
