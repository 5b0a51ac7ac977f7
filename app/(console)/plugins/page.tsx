import type { Metadata } from "next";
import { PluginsView } from "./plugins-view";

export const metadata: Metadata = { title: "Plugins" };

export default function PluginsPage() {
  return <PluginsView />;
}
