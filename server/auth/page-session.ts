import { getServerSession } from "next-auth";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { getDb } from "@/server/db";
import { countUsers } from "@/server/services/users";
import { authOptions } from "./next-auth";
import type { Principal } from "./principal";
import { ACTIVE_ORG_COOKIE, principalForUser } from "./session-principal";

/** For server-rendered console pages: the signed-in principal, or a redirect to setup / sign-in. */
export async function requirePagePrincipal(): Promise<Principal> {
  const db = getDb();
  if ((await countUsers(db)) === 0) redirect("/setup");
  const session = await getServerSession(authOptions());
  const userId = (session?.user as { id?: string } | undefined)?.id;
  if (!userId) redirect("/signin");
  const principal = await principalForUser(db, userId, (await cookies()).get(ACTIVE_ORG_COOKIE)?.value);
  if (!principal) redirect("/signin?error=NoOrganization");
  return principal;
}

export async function setupNeeded(): Promise<boolean> {
  return (await countUsers(getDb())) === 0;
}
