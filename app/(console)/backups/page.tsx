import type { Metadata } from "next";
import { Suspense } from "react";
import { BackupsView } from "./backups-view";

export const metadata: Metadata = { title: "Backups" };

export default function BackupsPage() {
  return (
    <Suspense>
      <BackupsView />
    </Suspense>
  );
}
