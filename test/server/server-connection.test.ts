import { execFile, execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import type { Readable } from "node:stream";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger, type PluginConfig, type ServerConnection, type ServerKindContribution } from "@safehold/plugin-api";
import { describeServerConnectionContract, describeServerKindContract, testOptions } from "@safehold/plugin-testkit";
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


const kinds: Array<{ kind: "local" | "ssh"; config: () => PluginConfig; folder: (name: string) => string }> = [
  { kind: "local", config: () => ({}), folder: (name) => fs.mkdtempSync(path.join(os.tmpdir(), `safehold-${name}-`)) },
  { kind: "ssh", config: () => hostA.config, folder: (name) => makeUserDir(hostA, `${name}-${randomBytes(3).toString("hex")}`) },
];

// The contract suites of @safehold/plugin-testkit, through the console's plugin host (guarded, optional methods filled in).
for (const { kind, config, folder } of kinds) {
  describeServerConnectionContract(kind, { connect: async () => (await plugins.serverKind(kind)).connect(config()), folder });
  describeServerKindContract(kind, { kind: () => plugins.serverKind(kind), config });
}

it("opens TCP connections from the server: postgres.js runs a query through one", async () => {
  const server = await (await plugins.serverKind("ssh")).connect(hostA.config);
  try {
    const url = new URL(adminDatabaseUrl());
    const port = Number(url.port || 5432);
    const sql = postgres(url.toString(), { max: 1, onnotice: () => {}, ...({ socket: () => server.openTcp(url.hostname, port) } as object) });
    expect(await sql`select 1 as one`).toEqual([{ one: 1 }]);
    await sql.end({ timeout: 5 });
  } finally {
    await server.close();
  }
});

it.each(["local", "ssh"] as const)("says a connection the %s server kind found refused may work later (a scheduled backup is retried)", async (kind) => {
  const server = await (await plugins.serverKind(kind)).connect(kind === "ssh" ? hostA.config : {});
  try {
    const port = await freePort();
    const refused = await server.openTcp("127.0.0.1", port).catch((err: unknown) => err);
    expect(refused).toMatchObject({ message: `Nothing is listening on 127.0.0.1:${port} (connection refused)`, retryable: true });
  } finally {
    await server.close();
  }
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
      const result = await ssh.testConnection({ config: { ...hostA.config, hostKeyFingerprint: "" }, log: silentLogger }, testOptions());
      expect(result.ok).toBe(true);
      expect(result.message).toMatch(
        new RegExp(`^Connected as ${hostA.username}@127\\.0\\.0\\.1:${hostA.port} \\(Linux [^)]+\\); host key ${hostA.fingerprint.replace(/[+/]/g, "\\$&")} is not pinned yet: check it and confirm it$`),
      );
      expect(result.details).toEqual({ hostKeyFingerprint: hostA.fingerprint, pin: { field: "hostKeyFingerprint", value: hostA.fingerprint, title: "Host key fingerprint" } });
    });

    it("Test connection confirms a pinned host key", async () => {
      const result = await ssh.testConnection({ config: hostA.config, log: silentLogger }, testOptions());
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
      expect(await ssh.testConnection({ config: moved, log: silentLogger }, testOptions())).toEqual({
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
      expect(await ssh.testConnection({ config: other, log: silentLogger }, testOptions())).toMatchObject({ ok: false, message: refused(hostA.username), details: { hostKeyFingerprint: hostA.fingerprint } });
    });

    it("uses a key protected by a passphrase, and says when the passphrase is missing or wrong", async () => {
      const key = keyPair("protected", "correct horse");
      hostA.authorize(key.publicKey);
      const config = { ...hostA.config, privateKey: key.privateKey };
      expect(await ssh.testConnection({ config: config, log: silentLogger }, testOptions())).toEqual({ ok: false, message: "The private key is protected by a passphrase: enter it in Passphrase" });
      expect(await ssh.testConnection({ config: { ...config, passphrase: "wrong" }, log: silentLogger }, testOptions())).toEqual({ ok: false, message: "The passphrase does not unlock the private key" });
      expect((await ssh.testConnection({ config: { ...config, passphrase: "correct horse" }, log: silentLogger }, testOptions())).ok).toBe(true);
    });

    it("says when the private key is not one", async () => {
      expect((await ssh.testConnection({ config: { ...hostA.config, privateKey: "not a key" }, log: silentLogger }, testOptions())).message).toMatch(/^The private key cannot be read: paste the whole private key file/);
      expect((await ssh.testConnection({ config: { ...hostA.config, privateKey: keyPair("public").publicKey }, log: silentLogger }, testOptions())).message).toBe("This is a public key: paste the private key (the key file without .pub)");
      // Pasted from Windows: CRLF line ends and no final newline are fine.
      const pasted = await ssh.testConnection({ config: { ...hostA.config, privateKey: hostA.privateKey.trim().replace(/\n/g, "\r\n") }, log: silentLogger }, testOptions());
      expect(pasted.ok, pasted.message).toBe(true);
    });

    it("says quickly when nothing listens", async () => {
      const port = await freePort();
      const started = Date.now();
      await expect(ssh.connect({ ...hostA.config, port })).rejects.toThrow(`Nothing is listening on 127.0.0.1:${port} (connection refused)`);
      expect(await ssh.testConnection({ config: { ...hostA.config, port }, log: silentLogger }, testOptions())).toEqual({ ok: false, message: `Nothing is listening on 127.0.0.1:${port} (connection refused)` });
      expect(Date.now() - started).toBeLessThan(3000);
      expect((await ssh.testConnection({ config: { ...hostA.config, host: "no-such-host.invalid" }, log: silentLogger }, testOptions())).message).toBe("Host no-such-host.invalid cannot be resolved");
    });

    it("gives up on a server that never answers after 10 s", async () => {
      const silent = net.createServer(() => {}).listen(0, "127.0.0.1");
      await new Promise((r) => silent.once("listening", r));
      const { port } = silent.address() as net.AddressInfo;
      const started = Date.now();
      expect(await ssh.testConnection({ config: { ...hostA.config, port }, log: silentLogger }, testOptions())).toEqual({ ok: false, message: `No answer from the SSH server at 127.0.0.1:${port} within 10 s` });
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
