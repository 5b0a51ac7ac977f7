import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";
import { getDb } from "@/server/db";
import { REQUEST_PATH_HEADER } from "@/server/http/client-request";
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
 * The sign-in page, told to come back to the page asked for (a deep link opened while signed out). The sign-in
 * form keeps only a path on the console's own origin.
 */
async function signInPath(): Promise<string> {
  const requested = (await headers()).get(REQUEST_PATH_HEADER);
  if (!requested) return "/signin";
  const url = new URL(requested, "http://console.invalid");
  // Next's marker on client-side navigations, not part of the page's address.
  url.searchParams.delete("_rsc");
  const path = `${url.pathname}${url.search}`;
  return path === "/" ? "/signin" : `/signin?callbackUrl=${encodeURIComponent(path)}`;
}

/**
 * For console pages: the signed-in principal, or a redirect to setup / sign-in, or to the account step the user
 * must finish first (a new password, two-factor enrolment). Cached per request: the layout and the page share it.
 */
export const requirePagePrincipal = cache(async (): Promise<Principal> => {
  if ((await countUsers(getDb())) === 0) redirect("/setup");
  const principal = await pagePrincipal();
  if (!principal) redirect(await signInPath());
  if (principal.pending) redirect("/account/secure");
  return principal;
});

export async function setupNeeded(): Promise<boolean> {
  return (await countUsers(getDb())) === 0;
}
