import type { Readable } from "node:stream";
import type { CompressionAnswer, ExecOptions, ServerCodec, ServerConnection, ServerKindContext, ServerKindContribution, TestOptions, TestResult } from "@safehold/plugin-api";
import { notPinnedMessage, parseConfig, type SshConfig, target } from "@safehold/ssh-tools";
import { execOverSsh } from "./exec";
import { serverPool, type ChannelSource } from "./pool";
import { readRemoteFile, writeRemoteFile } from "./sftp-files";
import { openClient } from "./ssh-client";
import { openTunnel } from "./tunnel";

/** The codec's program must be on the server: compressing there is what saves the link's bytes. */
async function canCompress(source: ChannelSource, codec: ServerCodec, signal?: AbortSignal): Promise<CompressionAnswer> {
  const run = execOverSsh(source, "sh", ["-c", 'command -v "$1"', "sh", codec.program], { signal });
  const [, , exit] = await Promise.all([text(run.stdout), text(run.stderr), run.exit]);
  return exit.code === 0 ? { ok: true } : { ok: false, reason: `${codec.program} is not installed on ${source.target}` };
}

function connection(source: ChannelSource, release: () => void): ServerConnection {
  return {
    canCompress: (codec, { signal }) => canCompress(source, codec, signal),
    exec: (command: string, args: string[], options?: ExecOptions) => execOverSsh(source, command, args, options),
    openTcp: (host: string, port: number) => openTunnel(source, host, port),
    readFile: (file: string) => readRemoteFile(source, file),
    writeFile: (file: string, content: Readable) => writeRemoteFile(source, file, content),
    close: async () => release(),
  };
}

async function text(stream: Readable): Promise<string> {
  let out = "";
  for await (const chunk of stream) out += (chunk as Buffer).toString("utf8");
  return out.trim();
}

/** The host key part of a test result: always the fingerprint seen, and a pin hint unless it is the pinned one. */
function hostKeyDetails(config: SshConfig, presented: string | null): Pick<TestResult, "details"> {
  if (!presented) return {};
  const pin = presented === config.hostKeyFingerprint ? {} : { pin: { field: "hostKeyFingerprint", value: presented, title: "Host key fingerprint" } };
  return { details: { hostKeyFingerprint: presented, ...pin } };
}

/**
 * Connects on a connection of its own (never a pooled one, so the answer is current), accepting an unpinned
 * host key but never a pinned one that changed, then runs `uname -sr` through the same exec path as backups.
 */
async function testConnection({ config: raw }: ServerKindContext, { signal }: TestOptions): Promise<TestResult> {
  let config: SshConfig;
  try {
    config = parseConfig(raw);
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  }
  const opened = openClient(config, { acceptAnyHostKey: true });
  const who = `${config.username}@${config.port === 22 ? config.host : target(config)}`;
  // Giving up (the operator left, or the console's timeout) closes the connection: every step below then fails.
  const abort = () => opened.client.end();
  signal.addEventListener("abort", abort, { once: true });
  try {
    try {
      await opened.ready;
    } catch (err) {
      return { ok: false, message: (err as Error).message, ...hostKeyDetails(config, opened.presentedFingerprint()) };
    }
    const presented = opened.presentedFingerprint()!;
    const details = hostKeyDetails(config, presented);
    const source: ChannelSource = {
      target: target(config),
      username: config.username,
      openChannel: async (open) => ({ channel: await open(opened.client), release: () => {} }),
    };
    const failed = (reason: string): TestResult => ({ ok: false, message: `Connected as ${who}, but running a command failed: ${reason}`, ...details });
    let system: string;
    try {
      const run = execOverSsh(source, "uname", ["-sr"]);
      const [out, errors, exit] = await Promise.all([text(run.stdout), text(run.stderr), run.exit]);
      if (exit.code !== 0) return failed(errors.split("\n").pop() || `exit status ${exit.code}`);
      system = out;
    } catch (err) {
      return failed((err as Error).message);
    }
    const hostKey =
      presented === config.hostKeyFingerprint
        ? `host key ${presented} matches the pinned one`
        : `host key ${presented} is not pinned yet: check it and confirm it`;
    return { ok: true, message: `Connected as ${who} (${system}); ${hostKey}`, ...details };
  } finally {
    signal.removeEventListener("abort", abort);
    opened.client.end();
  }
}

export const sshServerKind: ServerKindContribution = {
  async connect(raw) {
    const config = parseConfig(raw);
    if (!config.hostKeyFingerprint) throw new Error(notPinnedMessage(target(config)));
    const pool = serverPool(config);
    return connection(pool, await pool.lease());
  },
  testConnection,
};
