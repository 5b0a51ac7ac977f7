import { getToken } from "next-auth/jwt";
import { NextRequest } from "next/server";
import { ACTIVE_ORG_COOKIE, principalForUser } from "@/server/auth/session-principal";
import { authOptions } from "@/server/auth/next-auth";
import type { Principal } from "@/server/auth/principal";
import { getDb } from "@/server/db";
import { pluginHost } from "@/server/plugins/process-host";
import { principalForToken } from "@/server/services/api-tokens";
import type { Context } from "./trpc";

/** Bearer token when one is sent (never falling back to the session), otherwise the next-auth session. */
async function requestPrincipal(req: Request): Promise<Principal | null> {
  const db = getDb();
  const authorization = req.headers.get("authorization");
  if (authorization) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    return match ? principalForToken(db, match[1]!) : null;
  }
  // Read from the request itself (not next/headers), so the same code serves route handlers and tests.
  // Only url and headers are copied: wrapping `req` itself would consume its body before tRPC reads it.
  const request = new NextRequest(req.url, { headers: req.headers });
  const token = await getToken({ req: request, secret: authOptions().secret });
  if (!token?.sub) return null;
  return principalForUser(db, token.sub, request.cookies.get(ACTIVE_ORG_COOKIE)?.value);
}

export async function createRequestContext(req: Request, resHeaders?: Headers): Promise<Context> {
  return { db: getDb(), plugins: pluginHost(), principal: await requestPrincipal(req), resHeaders };
}
