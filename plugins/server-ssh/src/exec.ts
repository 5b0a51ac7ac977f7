import { PassThrough, Transform } from "node:stream";
import type { ExecExit, ExecHandle, ExecOptions } from "@safehold/plugin-api";
import type { Client, ClientChannel } from "ssh2";
import { signalRemote } from "@safehold/ssh-tools";
import { channelError, notInstalledMessage } from "./errors";
import type { ChannelSource } from "./pool";
import { remoteCommand } from "./remote-command";

/** How much of stderr is kept to recognise the wrapper's "not found" (the stream itself is passed on untouched). */
const STDERR_HEAD_BYTES = 4096;

type ExecChannel = {
  channel: ClientChannel;
  /** Settles when the channel closes, with the exit status the server sent (null when it sent none). */
  closed: Promise<ExecExit | null>;
};

/**
 * Starts `command` in a session channel. The exit status is listened for inside ssh2's callback: a quick
 * command's status, EOF and close can arrive in the same packet batch as the confirmation, before any code
 * awaiting this promise runs.
 */
function execChannel(client: Client, command: string): Promise<ExecChannel> {
  return new Promise((resolve, reject) => {
    try {
      client.exec(command, (err, channel) => {
        if (err) return reject(err);
        let status: ExecExit | null = null;
        channel.on("exit", (code: number | null, signal?: string) => {
          status = { code: code ?? null, signal: signal ?? null };
        });
        resolve({ channel, closed: new Promise((settle) => channel.once("close", () => settle(status))) });
      });
    } catch (err) {
      reject(err);
    }
  });
}

/** Runs a command over SSH with the behaviour of the local server kind: same streams, exit status and messages. */
export function execOverSsh(source: ChannelSource, command: string, args: string[], options: ExecOptions = {}): ExecHandle {
  const remote = remoteCommand(command, args, options);
  const stdout = new PassThrough();
  let stderrHead = "";
  const stderr = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (stderrHead.length < STDERR_HEAD_BYTES) stderrHead += chunk.toString("utf8");
      callback(null, chunk);
    },
  });
  let channel: ClientChannel | null = null;
  let killed = false;
  // The signal ends the command; closing the channel also ends one that ignores it, once it next writes. What it
  // still sends is read and dropped: a reader that gave up would otherwise leave the SSH window full, the command
  // blocked on its write, and the channel (and `exit`) never closing.
  const stop = (open: ClientChannel) => {
    signalRemote(open, "TERM");
    open.unpipe(stdout);
    open.stderr.unpipe(stderr);
    open.resume();
    open.stderr.resume();
    for (const stream of [stdout, stderr]) if (!stream.destroyed && !stream.writableEnded) stream.end();
    open.close();
  };
  const kill = () => {
    if (killed) return;
    killed = true;
    if (channel) stop(channel);
  };

  const run = async (): Promise<ExecExit> => {
    if (options.signal?.aborted) killed = true;
    if (killed) return { code: null, signal: "SIGTERM" };
    const opened = await source
      .openChannel((client) => execChannel(client, remote.command), "session")
      .catch((err: unknown) => Promise.reject(channelError(err, source.target, `run "${command}"`)));
    const { channel: open, closed } = opened.channel;
    try {
      channel = open;
      open.pipe(stdout);
      open.stderr.pipe(stderr);
      // Writes after the command exited are dropped; its exit status tells what happened.
      open.on("error", () => {});
      if (killed) stop(open);
      if (remote.preamble) open.write(remote.preamble);
      if (options.stdin) {
        options.stdin.once("error", kill);
        options.stdin.pipe(open);
      } else {
        open.end();
      }
      const status = await closed;
      options.stdin?.unpipe(open);
      // The wrapper's `exec` failing: "sh: 1: exec: CMD: not found" (dash), "sh: line 1: exec: CMD: not found" (bash).
      if (status?.code === 127 && /\bexec\b.*\bnot found\b/.test(stderrHead.split("\n")[0]!)) throw new Error(notInstalledMessage(command));
      if (status) return status;
      if (killed) return { code: null, signal: "SIGTERM" };
      throw new Error(`"${command}" ended without an exit status: the SSH connection to ${source.target} was lost`);
    } finally {
      opened.release();
    }
  };

  options.signal?.addEventListener("abort", kill, { once: true });
  const exit = run().finally(() => options.signal?.removeEventListener("abort", kill));
  // Streams of a command that never started end empty, so readers do not wait forever.
  const endUnstarted = () => {
    if (!channel) {
      stdout.end();
      stderr.end();
    }
  };
  exit.then(endUnstarted, endUnstarted);
  return { stdout, stderr, exit, kill };
}
