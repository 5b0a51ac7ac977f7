import { getServerSession } from "next-auth";
import { cookies } from "next/headers";
import { ACTIVE_ORG_COOKIE, principalForUser } from "@/server/auth/session-principal";
import { authOptions } from "@/server/auth/next-auth";
import type { Principal } from "@/server/auth/principal";
import { getDb } from "@/server/db";
import { env } from "@/server/env";
import { getPluginHost } from "@/server/plugins/host";
import { principalForToken } from "@/server/services/api-tokens";
import type { Context } from "./trpc";

export function pluginHost() {
  return getPluginHost(env().pluginsDir, (line) => console.log(line));
}

/** Bearer token when one is sent (never falling back to the session), otherwise the next-auth session. */
async function requestPrincipal(req: Request): Promise<Principal | null> {
  const db = getDb();
  const authorization = req.headers.get("authorization");
  if (authorization) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    return match ? principalForToken(db, match[1]!) : null;
  }
  const session = await getServerSession(authOptions());
  const userId = (session?.user as { id?: string } | undefined)?.id;
  if (!userId) return null;
  const preferredOrg = (await cookies()).get(ACTIVE_ORG_COOKIE)?.value;
  return principalForUser(db, userId, preferredOrg);
}

export async function createRequestContext(req: Request, resHeaders?: Headers): Promise<Context> {
  return { db: getDb(), plugins: pluginHost(), principal: await requestPrincipal(req), resHeaders };
}
