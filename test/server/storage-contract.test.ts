import path from "node:path";
import { afterAll } from "vitest";
import type { PluginConfig, StorageProviderContribution } from "@safehold/plugin-api";
import { activatePlugin, describeStorageContract } from "@safehold/plugin-testkit";
import { BUILTIN_PLUGINS } from "../helpers/fixtures";
import { startFtpStorage, startFtpsStorage } from "../helpers/storage-servers/ftp";
import { startLocalStorage } from "../helpers/storage-servers/local";
import { startS3Storage } from "../helpers/storage-servers/s3";
import { startSftpStorage } from "../helpers/storage-servers/sftp";
import type { StorageTarget } from "../helpers/storage-servers/types";

/**
 * Each built-in storage plugin proves the storage contract of @safehold/plugin-testkit against a real server on
 * 127.0.0.1 (the servers are this repository's test helpers; the suite holds only the assertions).
 */
const TARGETS: Array<{ name: string; plugin: string; start: () => Promise<StorageTarget>; remote: boolean }> = [
  { name: "local", plugin: "storage-local", start: startLocalStorage, remote: false },
  { name: "s3", plugin: "storage-s3", start: startS3Storage, remote: true },
  { name: "sftp", plugin: "storage-sftp", start: startSftpStorage, remote: true },
  { name: "ftp", plugin: "storage-ftp", start: startFtpStorage, remote: true },
  { name: "ftps", plugin: "storage-ftp", start: startFtpsStorage, remote: true },
];

for (const { name, plugin, start, remote } of TARGETS) {
  let target: StorageTarget | undefined;
  let provider: StorageProviderContribution | undefined;
  const create = async (config: (t: StorageTarget) => PluginConfig | null) => {
    target ??= await start();
    provider ??= (await activatePlugin(path.join(BUILTIN_PLUGINS, plugin))).activation.storageProviders![target.provider]!;
    return provider.create(config(target)!);
  };
  describeStorageContract(name, () => create((t) => t.config), {
    ...(remote ? { badCredentials: () => create((t) => t.badCredentials), unreachable: () => create((t) => t.unreachable) } : {}),
  });
  afterAll(async () => {
    await target?.stop();
  });
}
