import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { getDb } from "@/server/db";
import { countUsers } from "@/server/services/users";
import type { Principal } from "./principal";
import { sessionFromHeaders } from "./session-cookie";
import { ACTIVE_ORG_COOKIE, principalForSession } from "./session-principal";

/** The signed-in principal for a server-rendered page, or null (no cookie, or the session has ended). */
export async function pagePrincipal(): Promise<Principal | null> {
  const session = await sessionFromHeaders(new Headers(await headers()));
  if (!session) return null;
  return principalForSession(getDb(), session, (await cookies()).get(ACTIVE_ORG_COOKIE)?.value);
}

/**
 * For console pages: the signed-in principal, or a redirect to setup / sign-in, or to the account step the user
 * must finish first (a new password, two-factor enrolment).
 */
export async function requirePagePrincipal(): Promise<Principal> {
  if ((await countUsers(getDb())) === 0) redirect("/setup");
  const principal = await pagePrincipal();
  if (!principal) redirect("/signin");
  if (principal.pending) redirect("/account/secure");
  return principal;
}

export async function setupNeeded(): Promise<boolean> {
  return (await countUsers(getDb())) === 0;
}
