import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { setupNeeded } from "@/server/auth/page-session";
import { sameOriginPath } from "@/shared/same-origin-path";
import { SignInForm } from "./sign-in-form";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ error?: string; callbackUrl?: string }> }) {
  if (await setupNeeded()) redirect("/setup");
  const { error, callbackUrl } = await searchParams;
  return (
    <SignInForm
      initialError={error === "NoOrganization" ? "Your account no longer belongs to any organization. Ask an admin to add you again." : undefined}
      callbackUrl={sameOriginPath(typeof callbackUrl === "string" ? callbackUrl : undefined)}
    />
  );
}
