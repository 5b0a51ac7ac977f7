import type { ReactNode } from "react";
import { PageHeader } from "@/app/_components/ui/layout";
import { SettingsTabs } from "./settings-tabs";

export default function SettingsLayout({ children }: { children: ReactNode }) {
  return (
    <>
      <PageHeader title="Settings" description="Organization-wide configuration, and your own account." />
      <SettingsTabs />
      {children}
    </>
  );
}
