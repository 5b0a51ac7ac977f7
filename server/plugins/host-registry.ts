/**
 * Where a process keeps its plugin host: on `globalThis`, so Next's dev reloads reuse it and the web process's
 * HTTP server (loaded outside Next's build) can deactivate the plugins at shutdown without importing the host.
 */
type RegisteredHost = { readonly key: string; dispose(): Promise<void> };

const slot = globalThis as unknown as { __safeholdPlugins?: RegisteredHost };

export function registeredHost(): RegisteredHost | undefined {
  return slot.__safeholdPlugins;
}

export function registerHost(host: RegisteredHost): void {
  slot.__safeholdPlugins = host;
}

/** Deactivates the plugins of this process's host, if one was created (shutdown paths call it). */
export async function disposePluginHost(): Promise<void> {
  await slot.__safeholdPlugins?.dispose();
}
