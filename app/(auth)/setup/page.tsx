import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { setupNeeded } from "@/server/auth/page-session";
import { SetupForm } from "./setup-form";

export const metadata: Metadata = { title: "Set up" };
export const dynamic = "force-dynamic";

export default async function SetupPage() {
  if (!(await setupNeeded())) redirect("/signin");
  return <SetupForm />;
}
