import { ShieldCheck } from "lucide-react";
import type { ConfigSchema } from "@/server/plugins/contracts";

/** What an admin decided for a server: the folders and databases its environments may use, the programs that run. */
export type ServerRules = { name: string; allowedRoots: string[]; databasePattern: string | null; programs?: Record<string, string>; compressOn?: "server" | "worker" };

/** Which of a server's rules concern a source: folders when it has path settings, databases when it names one. */
export function rulesConcerning(schema: ConfigSchema | undefined): { folders: boolean; databases: boolean } {
  const formats = Object.values(schema?.properties ?? {}).map((field) => field.format);
  return { folders: formats.includes("server-path"), databases: formats.includes("database-name") };
}

function Code({ children }: { children: string }) {
  return <code className="font-mono text-slate-700">{children}</code>;
}

function list(items: string[]) {
  return items.map((item, i) => (
    <span key={item}>
      {i > 0 && (i === items.length - 1 ? " or " : ", ")}
      <Code>{item}</Code>
    </span>
  ));
}

/**
 * A line under a server picker saying what environments there may use, for the source being configured (nothing
 * when no rule concerns it): "Client host allows data folders inside /var/lib/odoo or /opt/odoo; databases matching
 * odoo_*. An admin sets this in the server's settings."
 */
export function ServerRulesNote({ server, schema }: { server: ServerRules | undefined; schema: ConfigSchema | undefined }) {
  const concerns = rulesConcerning(schema);
  if (!server || (!concerns.folders && !concerns.databases)) return null;
  const folders = server.allowedRoots.length > 0 ? <>data folders inside {list(server.allowedRoots)}</> : <>no data folder yet</>;
  const databases = server.databasePattern ? (
    <>
      databases matching <Code>{server.databasePattern}</Code>
    </>
  ) : (
    <>any database but the database server&apos;s own</>
  );
  return (
    <p className="flex items-start gap-2 rounded-md bg-slate-50 px-3 py-2 text-xs text-slate-600 ring-1 ring-slate-200 ring-inset" data-server-rules={server.name}>
      <ShieldCheck className="mt-px size-3.5 shrink-0 text-slate-400" aria-hidden />
      <span>
        {server.name} allows {concerns.folders && folders}
        {concerns.folders && concerns.databases && "; "}
        {concerns.databases && databases}. An admin sets this in the server&apos;s settings.
      </span>
    </p>
  );
}
