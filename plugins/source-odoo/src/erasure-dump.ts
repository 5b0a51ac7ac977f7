import type { Readable } from "node:stream";
import { PluginError } from "@safehold/plugin-api";

/**
 * A dump with the erased subjects' records rewritten, as a restore's erasure leaves them: two passes over the dump
 * (`open` is called for each). Not available in this build: an export of a project with erased subjects is refused
 * rather than handing out their data.
 */
export async function eraseFromDump(open: () => Promise<Readable>, subjects: string[], signal: AbortSignal): Promise<Readable> {
  signal.throwIfAborted();
  throw PluginError.notSupported(`Exporting a backup of a project with ${subjects.length} erased data subject(s) is not supported by this version of the Odoo source`);
}
