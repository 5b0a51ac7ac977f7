import type { Metadata } from "next";
import { DefaultPolicyView } from "./default-policy-view";

export const metadata: Metadata = { title: "Backups · Settings" };

export default function BackupSettingsPage() {
  return <DefaultPolicyView />;
}
