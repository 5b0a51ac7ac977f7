import { posix } from "node:path";
import type { Readable } from "node:stream";
import type { CompressionPlan, ManagedServer, ServerCodec } from "@/server/plugins/contracts";
import type { HostedServerConnection } from "@/server/plugins/conform";
import { databaseProblem, folderProblem, type ServerPolicy } from "./server-policy";
import { isOneLine } from "@/server/validation/one-line";
import { GZIP_LEVEL } from "@/server/backups/parallel-gzip";


/**
 * Resolves a path and the allowed folders on the server, NUL-separated, and says whether the path is a mount
 * point (util-linux `mountpoint`, else a device change from its parent) or missing.
 */
const RESOLVE_SCRIPT = [
  'target=$(realpath -m -- "$1") || exit 90',
  "shift",
  'printf "%s\\000" "$target"',
  'for root in "$@"; do r=$(realpath -m -- "$root") || exit 90; printf "%s\\000" "$r"; done',
  'if [ ! -e "$target" ]; then printf missing',
  'elif command -v mountpoint >/dev/null 2>&1; then if mountpoint -q -- "$target"; then printf mount; else printf plain; fi',
  'elif [ "$(stat -c %d -- "$target")" != "$(stat -c %d -- "$target/..")" ]; then printf mount',
  "else printf plain; fi",
].join("\n");

async function collect(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

async function resolveOnServer(connection: HostedServerConnection, policy: ServerPolicy, path: string): Promise<{ path: string; roots: string[]; state: string }> {
  // The script itself runs under sh, never under a program an admin mapped.
  const run = connection.exec("sh", ["-c", RESOLVE_SCRIPT, "sh", path, ...policy.allowedRoots]);
  const [out, err, exit] = await Promise.all([collect(run.stdout), collect(run.stderr), run.exit]);
  if (exit.code !== 0) {
    throw new Error(`Cannot resolve ${path} on server "${policy.name}" (it needs GNU coreutils' realpath): ${err.trim().split("\n").pop() || `exit code ${exit.code}`}`);
  }
  const parts = out.split("\0");
  const state = parts.pop() ?? "";
  const [resolved, ...roots] = parts;
  if (!resolved || roots.length !== policy.allowedRoots.length) throw new Error(`Cannot resolve ${path} on server "${policy.name}": unexpected answer from the server`);
  return { path: resolved, roots, state };
}

function checkedPath(path: string): string {
  if (typeof path !== "string" || !path.startsWith("/") || !isOneLine(path)) throw new Error(`"${String(path)}" is not an absolute path on one line`);
  return path;
}

/**
 * A server kind's connection under its admin's rules (see `ManagedServer`). Every source reaches its server
 * through this, so what runs there and which folders and databases are touched are decided by the server's
 * settings, never by an environment's.
 */
export function manageServer(connection: HostedServerConnection, policy: ServerPolicy): ManagedServer {
  async function resolveFolder(path: string, use: "read" | "replace"): Promise<string> {
    const found = await resolveOnServer(connection, policy, checkedPath(path));
    const problem = folderProblem(policy, found.path, found.roots, use);
    if (problem) throw new Error(problem);
    if (use === "replace" && found.state === "mount") {
      throw new Error(`${found.path} is a mount point on server "${policy.name}": a restore cannot move it aside; restore into a folder inside it instead`);
    }
    return found.path;
  }
  return {
    exec: (command, args, options) => connection.exec(policy.programs[command] ?? command, args, options),
    openTcp: (host, port) => connection.openTcp(host, port),
    readFile: async (file) => connection.readFile(posix.join(await resolveFolder(posix.dirname(checkedPath(file)), "read"), posix.basename(file))),
    writeFile: async (file, content) => connection.writeFile(posix.join(await resolveFolder(posix.dirname(checkedPath(file)), "read"), posix.basename(file)), content),
    close: () => connection.close(),
    resolveFolder,
    checkDatabase(database) {
      const problem = databaseProblem(policy, database);
      if (problem) throw new Error(problem);
    },
    canCompress: (codec, options) => connection.canCompress(codec, options),
    async compression(options = {}): Promise<CompressionPlan> {
      // The worker's own level: about a quarter less CPU on the client's server than gzip -6, for about the same size.
      const codec: ServerCodec = { format: "gzip", program: policy.programs.gzip ?? "gzip", level: GZIP_LEVEL };
      const answer = await connection.canCompress(codec, options);
      if (!answer.ok) return { on: "worker", reason: answer.reason, fallback: !answer.sameHost };
      if (policy.compressOn === "worker") return { on: "worker", reason: `server "${policy.name}" is set to keep compression off it`, fallback: true };
      return { on: "server", codec };
    },
  };
}
