import { and, eq } from "drizzle-orm";
import { z } from "zod";
import type { Principal } from "@/server/auth/principal";
import type { DbOrTx } from "@/server/db";
import { environments, projects } from "@/server/db/schema";
import { ExternalError, ValidationError } from "@/server/errors";
import type { DiscoveredSource } from "@/server/plugins/contracts";
import type { PluginHost } from "@/server/plugins/host";
import { fieldsMarked, valuesOf } from "@/shared/plugin-fields";
import { recordActivity } from "./activity";
import { databaseProblem } from "@/server/servers/server-policy";
import { configRecord, takePartialConfig } from "./plugin-config";
import { connectServer, sourcePolicy } from "@/server/servers/connect-server";
import { findServer } from "./servers";
import { processLogger } from "@/server/plugins/call-context";

export const discoverInput = z.object({
  serverId: z.uuid(),
  source: z.string().min(1).max(50),
  /** The source's connection settings, without the fields discovery fills in (e.g. the database). */
  sourceConfig: configRecord.default({}),
});

export const discoveredItem = z.object({
  name: z.string(),
  config: configRecord,
  version: z.string().nullable(),
  sizeBytes: z.number().nullable(),
  /** The environment that already uses it, if any: its id and "project / name". */
  existingEnvironmentId: z.string().nullable(),
  existingEnvironment: z.string().nullable(),
});

/** What a source can back up on a server (e.g. the Odoo databases there), for "Import environments from server". */
export async function discoverSources(db: DbOrTx, plugins: PluginHost, actor: Principal, input: z.infer<typeof discoverInput>) {
  const server = await findServer(db, actor, input.serverId);
  const source = plugins.contribution("sources", input.source, "source");
  if (!source.capabilities?.includes("discover")) throw new ValidationError(`The "${input.source}" source cannot list what a server holds`, { source: "Not supported by this source" });
  const config = await takePartialConfig(plugins, "sources", input.source, input.sourceConfig, { kindField: "source", configField: "sourceConfig" });
  let found;
  try {
    const connection = await connectServer(plugins, server, sourcePolicy(plugins, input.source, server));
    try {
      found = await (await plugins.source(input.source)).discover({ config, server: connection, log: processLogger(`discover ${input.source}`) });
    } finally {
      await connection.close();
    }
  } catch (err) {
    throw new ExternalError(`Cannot list the databases on "${server.name}": ${(err as Error).message}`);
  }
  const existing = await db
    .select({ id: environments.id, name: environments.name, project: projects.name, config: environments.sourceConfig })
    .from(environments)
    .innerJoin(projects, eq(projects.id, environments.projectId))
    .where(and(eq(environments.orgId, actor.orgId), eq(environments.serverId, server.id), eq(environments.source, input.source)));
  await recordActivity(db, actor, { action: "server.discover", targetType: "server", targetId: server.id, targetLabel: server.name, message: `${found.length} ${input.source} database(s) found` });
  // Only what the server's rules let an environment use is offered.
  const policy = sourcePolicy(plugins, input.source, server);
  const databases = Object.entries(source.configSchema.properties).filter(([, f]) => f.format === "database-name").map(([name]) => name);
  const allowed = (found: DiscoveredSource) => databases.every((name) => typeof found.config[name] !== "string" || !databaseProblem(policy, found.config[name]));
  const location = fieldsMarked(source.configSchema, "dataLocation");
  return found.filter(allowed).map((d) => {
    const merged = valuesOf({ ...config, ...d.config }, location);
    const user = merged === null ? undefined : existing.find((e) => valuesOf(e.config, location) === merged);
    return { name: d.name, config: d.config, version: d.version ?? null, sizeBytes: d.sizeBytes ?? null, existingEnvironmentId: user?.id ?? null, existingEnvironment: user ? `${user.project} / ${user.name}` : null };
  });
}
