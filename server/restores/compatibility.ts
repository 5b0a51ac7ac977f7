import type { ApplicationInfo } from "@safehold/plugin-api";
import { and, desc, eq, isNotNull } from "drizzle-orm";
import type { Principal } from "@/server/auth/principal";
import { applicationFrom } from "@/server/backups/application-info";
import type { DbOrTx } from "@/server/db";
import { backups, type environments, servers } from "@/server/db/schema";
import { ForbiddenError, ValidationError } from "@/server/errors";
import { processLogger, testOptions } from "@/server/plugins/call-context";
import type { PluginHost } from "@/server/plugins/host";
import { openSourceSession } from "@/server/servers/connect-server";
import { environmentSourceConfig } from "@/server/services/plugin-config";

/** How long a restore request waits for the target's server to say what it runs, before falling back on its latest backup. */
const READ_TIMEOUT_MS = 15_000;

type TargetApplication = { application: ApplicationInfo; readFrom: string };

/**
 * What the target environment runs: as its source reads it on the server now, or, when the server cannot be
 * reached or cannot tell, as its latest completed backup recorded it. Null when neither knows.
 */
export async function targetApplication(db: DbOrTx, plugins: PluginHost, target: typeof environments.$inferSelect): Promise<TargetApplication | null> {
  try {
    const [server] = await db.select().from(servers).where(eq(servers.id, target.serverId));
    const config = environmentSourceConfig(target);
    const session = await openSourceSession(plugins, target.source, config, server!);
    try {
      const application = await session.source.readApplication({ config, server: session.server, log: processLogger(`read application of ${target.id}`) }, testOptions(READ_TIMEOUT_MS));
      if (application) return { application, readFrom: "its server" };
    } finally {
      await session.server.close();
    }
  } catch {
    // Unreachable or unreadable now: its latest backup says what it ran then.
  }
  const [latest] = await db
    .select({ application: backups.application, finishedAt: backups.finishedAt })
    .from(backups)
    .where(and(eq(backups.environmentId, target.id), eq(backups.status, "completed"), isNotNull(backups.application)))
    .orderBy(desc(backups.finishedAt))
    .limit(1);
  const application = applicationFrom(latest?.application);
  return application ? { application, readFrom: `its latest backup (${latest!.finishedAt?.toISOString().slice(0, 10) ?? "undated"})` } : null;
}

/** What an owner types to restore across major versions, e.g. "16.0 to 17.0". */
export function versionOverride(backup: ApplicationInfo, target: ApplicationInfo): string {
  return `${backup.version} to ${target.version}`;
}

/**
 * Refuses a restore of a backup taken at another major version of its application than the target runs, naming
 * both; an owner may override by typing both versions (`confirmVersions`). Returns the override's note for the
 * activity log, or null when the versions match or one side is unknown.
 */
export async function checkCompatibility(
  db: DbOrTx,
  plugins: PluginHost,
  actor: Principal,
  backup: ApplicationInfo | null,
  target: typeof environments.$inferSelect,
  confirmVersions: string | undefined,
): Promise<string | null> {
  if (!backup) return null;
  const found = await targetApplication(db, plugins, target);
  if (!found || found.application.major === backup.major) return null;
  const running = found.application;
  const expected = versionOverride(backup, running);
  const what = `This backup was taken at ${backup.name} ${backup.version}, but "${target.name}" runs ${running.name} ${running.version} (read from ${found.readFrom})`;
  // The field error asks the console's wizard for the typed versions; the message names both for everyone else.
  const field = { confirmVersions: `Type "${expected}" to restore across major versions (owners only)` };
  if (confirmVersions === undefined) throw new ValidationError(`${what}: a restore across major versions is refused. An owner may override it by typing "${expected}"`, field);
  if (actor.role !== "owner") throw new ForbiddenError(`${what}: only an owner may restore across major versions`);
  if (confirmVersions.trim() !== expected) throw new ValidationError(`Type "${expected}" to restore across major versions`, field);
  return `restored across major versions (${expected}), confirmed by an owner`;
}
