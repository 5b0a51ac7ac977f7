import { posix } from "node:path";
import type { Readable } from "node:stream";
import type { ServerConnection } from "@safehold/plugin-api";
import type { FolderWording } from "./folder-wording";
import { safeTarStream } from "./safe-tar";
import { folderExists, moveFolder, mustRun, removeFolder, runCommand, tarError } from "./server-commands";

const STDERR_LIMIT = 16 * 1024;

export type FolderSwap = { aside: string | null; undo: () => Promise<void> };

/**
 * The files half of a staged restore: the archive is extracted into `<folder>.restore-<tag>` beside the
 * target (same file system, so the swap is two renames), and the target moves aside to `<folder>.before-<tag>`.
 * Entries pass `safeTarStream` before they reach `tar -x`.
 */
export class StagedFolder {
  readonly staging: string;
  readonly aside: string;
  private created = false;
  private loaded = false;
  private swapped = false;

  constructor(
    private readonly server: ServerConnection,
    private readonly target: string,
    tag: string,
    private readonly signal: AbortSignal,
    private readonly log: (line: string) => void,
    private readonly words: FolderWording,
  ) {
    this.staging = `${target}.restore-${tag}`;
    this.aside = `${target}.before-${tag}`;
  }

  async load(content: Readable): Promise<void> {
    if (this.swapped) throw new Error("This restore was already swapped in");
    this.created = true;
    await mustRun(this.server, `Creating folder ${posix.dirname(this.target)}`, "mkdir", ["-p", "--", posix.dirname(this.target)], this.signal);
    // A leftover of an interrupted attempt at this same restore: the name is this restore's own.
    await removeFolder(this.server, this.staging);
    await mustRun(this.server, `Creating folder ${this.staging}`, "mkdir", ["--", this.staging], this.signal);
    await this.extract(content);
    await this.matchOwner();
    this.loaded = true;
  }

  private async extract(content: Readable): Promise<void> {
    const archive = safeTarStream(content, this.words);
    const handle = this.server.exec("tar", ["-x", "-f", "-", "-C", this.staging, "--no-same-owner"], { stdin: archive, signal: this.signal });
    let archiveError: Error | undefined;
    archive.once("error", (err) => {
      archiveError = err;
      handle.kill();
    });
    let stderr = "";
    handle.stderr.on("data", (chunk: Buffer) => {
      if (stderr.length < STDERR_LIMIT) stderr += chunk.toString("utf8");
    });
    handle.stdout.resume();
    try {
      const exit = await handle.exit;
      if (archiveError) throw archiveError;
      if (exit.signal) throw new Error(`tar was stopped by signal ${exit.signal} before the ${this.words.folder} was extracted`);
      if (exit.code !== 0) throw new Error(`tar failed extracting the ${this.words.folder}: ${tarError(stderr)}`);
    } catch (err) {
      archive.destroy();
      content.destroy();
      throw err;
    }
  }

  /**
   * Files extracted by the server user (often root over SSH) must stay usable by the application: they take the owner of
   * the folder they replace, or of the folder they go into.
   */
  private async matchOwner(): Promise<void> {
    const reference = (await folderExists(this.server, this.target)) ? this.target : posix.dirname(this.target);
    const result = await runCommand(this.server, "chown", ["-R", "-h", `--reference=${reference}`, "--", this.staging], this.signal);
    if (result.code !== 0) this.log(`The restored files keep the server user as owner: chown failed (${result.stderr.split("\n").pop() || `exit code ${result.code}`})`);
  }

  /** Moves the target aside (when it exists) and the staged folder into its place; does nothing when no files were loaded. */
  async swapIn(): Promise<FolderSwap> {
    if (!this.loaded || this.swapped) return { aside: null, undo: async () => {} };
    const hadTarget = await folderExists(this.server, this.target);
    if (hadTarget) await moveFolder(this.server, this.target, this.aside);
    try {
      await moveFolder(this.server, this.staging, this.target);
    } catch (err) {
      if (hadTarget) await moveFolder(this.server, this.aside, this.target);
      throw err;
    }
    this.swapped = true;
    return {
      aside: hadTarget ? this.aside : null,
      undo: async () => {
        await moveFolder(this.server, this.target, this.staging);
        if (hadTarget) await moveFolder(this.server, this.aside, this.target);
        this.swapped = false;
      },
    };
  }

  /** Removes the staged folder; does nothing once it was swapped in (it is the target then). */
  async discard(): Promise<void> {
    if (!this.created || this.swapped) return;
    await removeFolder(this.server, this.staging);
    this.created = false;
    this.loaded = false;
  }
}
