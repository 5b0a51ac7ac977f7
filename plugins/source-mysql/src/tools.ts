import type { ServerConnection } from "@safehold/plugin-api";
import { findClient, findDump } from "./client";
import type { Tools } from "./schema-objects";

/** The client and the dump tool on the server; throws one line saying what to install when either is missing. */
export async function requireTools(server: ServerConnection): Promise<Tools> {
  const client = await findClient(server);
  const dump = await findDump(server);
  if (!dump.ok) throw new Error(dump.message.charAt(0).toUpperCase() + dump.message.slice(1));
  return { client, dump };
}
