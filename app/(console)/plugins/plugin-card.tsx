import type { inferRouterOutputs } from "@trpc/server";
import { Alert, Badge, Card, type Tone } from "@/app/_components/ui/layout";
import type { AppRouter } from "@/server/api/root";
import { ConfigFields } from "./config-fields";

export type Plugin = inferRouterOutputs<AppRouter>["plugins"]["list"]["items"][number];
type Contribution = Plugin["contributions"][number];

const STATUS: Record<Plugin["status"], { tone: Tone; label: string }> = {
  active: { tone: "success", label: "Active" },
  inactive: { tone: "neutral", label: "Installed — loads on first use" },
  error: { tone: "danger", label: "Error" },
};

const KIND_LABEL: Record<Contribution["kind"], string> = {
  source: "Source",
  storageProvider: "Storage provider",
  serverKind: "Server kind",
  notifier: "Notifier",
};

function ContributionItem({ contribution }: { contribution: Contribution }) {
  const fieldCount = Object.keys((contribution.configSchema.properties as object | undefined) ?? {}).length;
  return (
    <li className="py-3">
      <div className="flex flex-wrap items-center gap-2">
        <Badge tone="info">{KIND_LABEL[contribution.kind]}</Badge>
        <span className="font-medium text-slate-900">{contribution.title}</span>
        <code className="font-mono text-xs text-slate-500">{contribution.id}</code>
      </div>
      {contribution.description && <p className="mt-1 text-sm text-slate-600">{contribution.description}</p>}
      <details className="mt-2">
        <summary className="cursor-pointer text-sm font-medium text-brand-700 hover:underline">
          Configuration fields ({fieldCount})
        </summary>
        <div className="mt-2 rounded-md ring-1 ring-slate-200">
          <ConfigFields configSchema={contribution.configSchema} />
        </div>
      </details>
    </li>
  );
}

export function PluginCard({ plugin }: { plugin: Plugin }) {
  const status = STATUS[plugin.status];
  return (
    <Card
      title={plugin.displayName ?? plugin.id}
      description={
        <span className="font-mono text-xs">
          {plugin.id}
          {plugin.version && ` · v${plugin.version}`}
        </span>
      }
      actions={<Badge tone={status.tone}>{status.label}</Badge>}
      className={plugin.status === "error" ? "border-l-4 border-red-500" : ""}
    >
      <div className="space-y-3">
        {plugin.status === "error" && (
          <Alert tone="danger" title="This plugin could not be loaded; its contributions are unavailable.">
            <p className="font-mono text-xs whitespace-pre-wrap text-red-700">{plugin.error ?? "Unknown error"}</p>
          </Alert>
        )}
        {plugin.description && <p className="text-sm text-slate-700">{plugin.description}</p>}
        <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
          <dt className="text-slate-500">Safehold version</dt>
          <dd className="font-mono text-xs leading-5 text-slate-700">{plugin.engine ?? "not declared"}</dd>
          {plugin.activationEvents.length > 0 && (
            <>
              <dt className="text-slate-500">Loads on</dt>
              <dd className="font-mono text-xs leading-5 text-slate-700">{plugin.activationEvents.join(", ")}</dd>
            </>
          )}
        </dl>
        {plugin.contributions.length > 0 && (
          <div>
            <h3 className="text-sm font-semibold text-slate-900">Contributes</h3>
            <ul className="divide-y divide-slate-100">
              {plugin.contributions.map((c) => (
                <ContributionItem key={`${c.kind}:${c.id}`} contribution={c} />
              ))}
            </ul>
          </div>
        )}
      </div>
    </Card>
  );
}
