import type { Metadata } from "next";
import { StorageView } from "./storage-view";

export const metadata: Metadata = { title: "Storage · Settings" };

export default function StorageSettingsPage() {
  return <StorageView />;
}
