import type { Metadata } from "next";
import { EncryptionView } from "./encryption-view";

export const metadata: Metadata = { title: "Encryption settings" };

export default function EncryptionSettingsPage() {
  return <EncryptionView />;
}
