import type { Metadata } from "next";
import { GeneralView } from "./general-view";

export const metadata: Metadata = { title: "General settings" };

export default function GeneralSettingsPage() {
  return <GeneralView />;
}
