/**
 * A REST v1 client written ONLY from the table "Public API v1 (REST, JSON)" in PRODUCT.md: its paths, its bodies
 * and its field names exactly as written there, nothing the table does not list.
 *
 * It stands for every script a customer wrote against v1. Change this file only when PRODUCT.md's table changes
 * (and then only to add what the table adds): if a release needs this client changed to keep passing, that
 * release breaks v1 clients.
 */

export type Answer<T = unknown> = { status: number; body: T };

export type Retention = { daily: number; weekly: number; monthly: number; yearly: number };

/** `GET, PUT /api/v1/backup-policy`: the org default policy, as the table lists its fields. */
export type DocumentedPolicy = {
  enabled: boolean;
  schedule: string;
  timezone: string;
  storageLocationId: string | null;
  includeFilestore: boolean;
  retention: Retention;
  notifyOnSuccess: boolean;
  notifyOnFailure: boolean;
};

export type DocumentedRestore = {
  target: "original" | "environment" | "new_environment";
  environmentId?: string;
  newEnvironment?: { projectId: string; name: string; stage: string; serverId: string; sourceConfig: Record<string, unknown> };
  safetyBackup: boolean;
  includeFilestore: boolean;
  neutralize: boolean;
  confirm: "RESTORE";
};

export type BackupsQuery = Partial<Record<"status" | "type" | "environmentId" | "projectId" | "q" | "from" | "to" | "limit" | "cursor", string>>;

export function v1DocumentedClient(baseUrl: string, token: string) {
  async function call<T>(method: string, path: string, body?: unknown): Promise<Answer<T>> {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (body !== undefined) headers["content-type"] = "application/json";
    const response = await fetch(`${baseUrl}/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
  }
  const query = (params: Record<string, string | undefined>) => {
    const entries = Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined);
    return entries.length ? `?${new URLSearchParams(entries).toString()}` : "";
  };

  return {
    listPlugins: () => call("GET", "/plugins"),

    listProjects: () => call("GET", "/projects"),
    createProject: (body: { name: string }) => call("POST", "/projects", body),

    listServers: () => call("GET", "/servers"),
    createServer: (body: { name: string; kind: "local" | "ssh"; config: Record<string, unknown> }) => call("POST", "/servers", body),

    listStorageLocations: () => call("GET", "/storage-locations"),
    createStorageLocation: (body: { name: string; provider: string; config: Record<string, unknown>; isDefault?: boolean }) => call("POST", "/storage-locations", body),
    testStorageLocation: (id: string) => call("POST", `/storage-locations/${id}/test`),

    listEnvironments: (projectId?: string) => call("GET", `/environments${query({ projectId })}`),
    createEnvironment: (body: { projectId: string; name: string; stage: string; serverId: string; source: string; sourceConfig: Record<string, unknown> }) =>
      call("POST", "/environments", body),
    getEnvironment: (id: string) => call("GET", `/environments/${id}`),

    createBackup: (environmentId: string, body: { name?: string; notes?: string; storageLocationId?: string; includeFilestore?: boolean; retention?: string } = {}) =>
      call("POST", `/environments/${environmentId}/backups`, body),
    listBackups: (params: BackupsQuery = {}) => call("GET", `/backups${query(params)}`),
    getBackup: (id: string) => call("GET", `/backups/${id}`),
    deleteBackup: (id: string) => call("DELETE", `/backups/${id}`),
    createDownloadLink: (id: string, body: { artifact: "database" | "filestore" | "manifest"; expiresIn: 900 | 1800 | 3600 | 7200 | 86400 }) =>
      call("POST", `/backups/${id}/download-links`, body),

    createRestore: (backupId: string, body: DocumentedRestore) => call("POST", `/backups/${backupId}/restores`, body),
    getRestore: (id: string) => call("GET", `/restores/${id}`),

    getBackupPolicy: () => call("GET", "/backup-policy"),
    putBackupPolicy: (body: DocumentedPolicy) => call("PUT", "/backup-policy", body),
    getEnvironmentPolicy: (id: string) => call("GET", `/environments/${id}/backup-policy`),
    putEnvironmentPolicy: (id: string, body: Partial<DocumentedPolicy>) => call("PUT", `/environments/${id}/backup-policy`, body),
    deleteEnvironmentPolicy: (id: string) => call("DELETE", `/environments/${id}/backup-policy`),
    getEffectivePolicy: (id: string) => call("GET", `/environments/${id}/effective-backup-policy`),

    getDashboard: () => call("GET", "/dashboard"),
  };
}

export type V1DocumentedClient = ReturnType<typeof v1DocumentedClient>;
