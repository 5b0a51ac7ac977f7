import type { PluginActivation } from "@safehold/plugin-api";
import { sshServerKind } from "./ssh-server";

export function activate(): PluginActivation {
  return { serverKinds: { ssh: sshServerKind } };
}
