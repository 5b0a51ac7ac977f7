import { env } from "@/server/env";
import { getPluginHost, type PluginHost } from "./host";

/** The plugin host of this process (web or worker), over the folders of SAFEHOLD_PLUGINS_DIR. */
export function pluginHost(): PluginHost {
  return getPluginHost(env().pluginsDirs, (line) => console.log(`[plugins] ${line}`));
}
