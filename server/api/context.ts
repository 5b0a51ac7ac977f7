import { ACTIVE_ORG_COOKIE, principalForSession } from "@/server/auth/session-principal";
import { sessionFromHeaders } from "@/server/auth/session-cookie";
import type { Principal } from "@/server/auth/principal";
import { getDb } from "@/server/db";
import { pluginHost } from "@/server/plugins/process-host";
import { principalForToken } from "@/server/services/api-tokens";
import type { Context } from "./trpc";

function cookie(headers: Headers, name: string): string | undefined {
  for (const part of (headers.get("cookie") ?? "").split(";")) {
    const [key, ...value] = part.trim().split("=");
    if (key === name) return value.join("=");
  }
  return undefined;
}

/** Bearer token when one is sent (never falling back to the session), otherwise the session cookie, checked live. */
export async function requestPrincipal(req: Request): Promise<Principal | null> {
  const db = getDb();
  const authorization = req.headers.get("authorization");
  if (authorization) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    return match ? principalForToken(db, match[1]!) : null;
  }
  // Read from the request's headers only: wrapping `req` itself would consume its body before tRPC reads it.
  const session = await sessionFromHeaders(req.headers);
  return session ? principalForSession(db, session, cookie(req.headers, ACTIVE_ORG_COOKIE)) : null;
}

export async function createRequestContext(req: Request, resHeaders?: Headers): Promise<Context> {
  return { db: getDb(), plugins: pluginHost(), principal: await requestPrincipal(req), resHeaders };
}
