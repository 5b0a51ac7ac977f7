import path from "node:path";
import { z } from "zod";
import { parseTrustedProxies, type TrustedProxies } from "@/server/http/trusted-proxies";

const trustedProxies = z
  .string()
  .optional()
  .transform((value, ctx) => {
    try {
      return parseTrustedProxies(value);
    } catch (err) {
      ctx.addIssue({ code: "custom", message: `${(err as Error).message} (a hop count 0-10, or a comma-separated list of proxy addresses and CIDR ranges)` });
      return z.NEVER;
    }
  });

const envSchema = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HOST: z.string().min(1).default("127.0.0.1"),
  SAFEHOLD_DATA_DIR: z.string().min(1).default("./data"),
  SAFEHOLD_PLUGINS_DIR: z.string().min(1).default("./plugins"),
  DATABASE_URL: z.string().url().optional(),
  SAFEHOLD_SECRET_KEY: z.string().min(32, "SAFEHOLD_SECRET_KEY must be at least 32 characters").optional(),
  SAFEHOLD_PUBLIC_URL: z.string().url().optional(),
  SAFEHOLD_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  SAFEHOLD_ALLOW_LINK_LOCAL: z.enum(["0", "1", "true", "false"]).optional(),
  SAFEHOLD_TRUSTED_PROXIES: trustedProxies,
});

export type Env = {
  port: number;
  host: string;
  dataDir: string;
  /** SAFEHOLD_PLUGINS_DIR: one or more folders of plugins, `:`-separated like PATH. */
  pluginsDirs: string[];
  databaseUrl: string | undefined;
  secretKey: string | undefined;
  publicUrl: string;
  workerConcurrency: number;
  /** Whether configurations may name link-local and cloud metadata addresses (off: they are refused). */
  allowLinkLocal: boolean;
  /** Which proxies' X-Forwarded-For and X-Forwarded-Proto are believed (none: the socket's peer is the client). */
  trustedProxies: TrustedProxies;
};

/** Reads the configuration from process.env. The CLI may set DATABASE_URL (embedded database) before the first read. */
export function readEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  const publicHost = e.HOST === "0.0.0.0" || e.HOST === "::" ? "localhost" : e.HOST;
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(e.SAFEHOLD_DATA_DIR),
    pluginsDirs: e.SAFEHOLD_PLUGINS_DIR.split(path.delimiter).filter(Boolean).map((dir) => path.resolve(dir)),
    databaseUrl: e.DATABASE_URL,
    secretKey: e.SAFEHOLD_SECRET_KEY,
    publicUrl: (e.SAFEHOLD_PUBLIC_URL ?? `http://${publicHost}:${e.PORT}`).replace(/\/+$/, ""),
    workerConcurrency: e.SAFEHOLD_WORKER_CONCURRENCY,
    allowLinkLocal: e.SAFEHOLD_ALLOW_LINK_LOCAL === "1" || e.SAFEHOLD_ALLOW_LINK_LOCAL === "true",
    trustedProxies: e.SAFEHOLD_TRUSTED_PROXIES,
  };
}

let cached: Env | undefined;

export function env(): Env {
  cached ??= readEnv();
  return cached;
}

/** For the CLI after it has changed process.env (embedded database URL) and for tests. */
export function resetEnvCache(): void {
  cached = undefined;
}
