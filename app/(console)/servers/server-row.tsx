"use client";

import { useMutation } from "@tanstack/react-query";
import { PinnedFingerprint } from "@/app/_components/config-summary";
import { configSummary } from "@/shared/config-summary";
import type { Contribution } from "@/app/_components/plugin-contributions";
import { TestResultRow } from "@/app/_components/test-result";
import { Button } from "@/app/_components/ui/button";
import { Td } from "@/app/_components/ui/layout";
import { useConsoleSession } from "@/app/_lib/console-context";
import { errorInfo } from "@/app/_lib/errors";
import { formatDateTime } from "@/app/_lib/format";
import { useTRPC } from "@/app/_lib/trpc";
import type { Server } from "./server-form-dialog";
import { ServerHealthCell, type ServerHealthItem } from "./server-health-cell";

const FOLDERS_SHOWN = 3;

/** The server's rules in a few short lines: its folders, then the database pattern, programs and compression when set. */
function RulesSummary({ server }: { server: Server }) {
  const programs = Object.entries(server.programs);
  const folders = server.allowedRoots.slice(0, FOLDERS_SHOWN);
  const more = server.allowedRoots.length - folders.length;
  return (
    <div className="space-y-0.5 text-xs text-slate-600">
      {server.allowedRoots.length === 0 && <p className="text-amber-700">No folder allowed</p>}
      {folders.map((folder) => (
        <p key={folder} className="truncate font-mono" title={folder}>
          {folder}
        </p>
      ))}
      {more > 0 && (
        <p className="text-slate-500" title={server.allowedRoots.slice(FOLDERS_SHOWN).join("\n")}>
          and {more} more folder{more === 1 ? "" : "s"}
        </p>
      )}
      <p className="truncate" title={server.databasePattern ?? undefined}>
        <span className="text-slate-500">Databases </span>
        {server.databasePattern ? <span className="font-mono">{server.databasePattern}</span> : "any"}
      </p>
      <p>
        <span className="text-slate-500">At most </span>
        {server.maxConcurrentOperations} operation{server.maxConcurrentOperations === 1 ? "" : "s"} at a time
      </p>
      {programs.length > 0 && (
        <p className="truncate" title={programs.map(([name, path]) => `${name} → ${path}`).join("\n")}>
          <span className="text-slate-500">Programs </span>
          <span className="font-mono">{programs.map(([name]) => name).join(", ")}</span>
        </p>
      )}
      {server.compressOn === "worker" && (
        <p title="Backups cross the link uncompressed and the console compresses them">
          <span className="text-slate-500">Compression </span>on the console
        </p>
      )}
    </div>
  );
}

/**
 * One server, its actions, and under it the answer of its last test. Any operator may test the saved settings;
 * only admins edit them (what a server runs and may touch is theirs to decide).
 */
export function ServerRow({
  server,
  health,
  kind,
  kindTitle,
  columns,
  onEdit,
  onDelete,
}: {
  server: Server;
  health: ServerHealthItem | undefined;
  kind: Contribution | undefined;
  kindTitle: string;
  columns: number;
  onEdit: () => void;
  onDelete: () => void;
}) {
  const trpc = useTRPC();
  const { can } = useConsoleSession();
  const test = useMutation(trpc.servers.test.mutationOptions());

  return (
    <>
      <tr>
        <Td>
          <p className="font-medium text-slate-900">{server.name}</p>
          <p className="text-xs text-slate-500" title={`Added ${formatDateTime(server.createdAt)}`}>
            {kindTitle}
          </p>
        </Td>
        <Td className="max-w-64 text-xs text-slate-600">
          {configSummary(kind, server.config) ? <span className="block truncate font-mono">{configSummary(kind, server.config)}</span> : <span className="block">{kind?.description ?? "—"}</span>}
          <span className="block truncate font-mono text-slate-500">
            <PinnedFingerprint config={server.config} schema={kind?.configSchema} />
          </span>
        </Td>
        <Td className="max-w-72">
          <RulesSummary server={server} />
        </Td>
        <Td>
          <ServerHealthCell health={health} />
        </Td>
        {can("operator") && (
          <Td className="whitespace-nowrap text-right">
            <Button variant="ghost" size="sm" loading={test.isPending} onClick={() => test.mutate({ id: server.id })}>
              Test
            </Button>
            {can("admin") && (
              <>
                <Button variant="ghost" size="sm" onClick={onEdit}>
                  Edit
                </Button>
                <Button variant="ghost" size="sm" className="text-red-600 hover:text-red-700" onClick={onDelete}>
                  Delete
                </Button>
              </>
            )}
          </Td>
        )}
      </tr>
      <TestResultRow columns={columns} result={test.data} failure={errorInfo(test.error)} onDismiss={() => test.reset()} />
    </>
  );
}
