import type { PluginActivation } from "@safehold/plugin-api";
import { localServerKind } from "./local-server";

export function activate(): PluginActivation {
  return { serverKinds: { local: localServerKind } };
}
