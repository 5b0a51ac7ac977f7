import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { pagePrincipal } from "@/server/auth/page-session";
import { SecureAccount } from "./secure-account";

export const metadata: Metadata = { title: "Secure your account" };
export const dynamic = "force-dynamic";

/** Where the console sends a person who owes a step first: a new password after a reset, or two-factor enrolment. */
export default async function SecureAccountPage() {
  const principal = await pagePrincipal();
  if (!principal) redirect("/signin");
  if (!principal.pending) redirect("/");
  return <SecureAccount step={principal.pending} account={principal.label} />;
}
