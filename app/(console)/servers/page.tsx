import type { Metadata } from "next";
import { ServersView } from "./servers-view";

export const metadata: Metadata = { title: "Servers" };

export default function ServersPage() {
  return <ServersView />;
}
