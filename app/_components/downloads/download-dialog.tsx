"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { toast } from "sonner";
import type { BackupItem } from "@/app/_components/backups/backup-types";
import { useContributions } from "@/app/_components/plugin-contributions";
import { Button } from "@/app/_components/ui/button";
import { Dialog } from "@/app/_components/ui/dialog";
import { Checkbox, Field, Select } from "@/app/_components/ui/field";
import { Alert } from "@/app/_components/ui/layout";
import { errorInfo } from "@/app/_lib/errors";
import { formatBytes, formatDateTime } from "@/app/_lib/format";
import { useTRPC } from "@/app/_lib/trpc";
import { CopyLink } from "./copy-link";
import { EXPIRY_OPTIONS, SHORTEST_EXPIRY, type ExpirySeconds } from "./download-expiries";
import { IssuedLinks } from "./issued-links";

const ONE_CLICK_TITLE = `Starts the download at once, through links valid for ${EXPIRY_OPTIONS[0].label}`;

type CreatedLink = { id: string; artifact: string; fileName: string; size: number | null; url: string; expiresAt: string; signedBy: "console" | "provider"; encrypted: boolean; format: string | null; neutralized: boolean };

/** "" for the backup's stored files, else an export format of its source. */
type DownloadAs = string;

/**
 * The seed's Download dialog: pick how long the links live, then copy the link of each file of the backup, or one
 * link to the backup in an export format its source declares (e.g. "Odoo format (.zip)"), neutralized on request.
 */
export function DownloadDialog({ backup, onClose }: { backup: BackupItem; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const detail = useQuery(trpc.backups.get.queryOptions({ id: backup.id }));
  const sources = useContributions("sources");
  const title = (kind: string) => sources.artifactTitle(backup.source, kind);
  const [expiresIn, setExpiresIn] = useState<ExpirySeconds>(3600);
  const [links, setLinks] = useState<CreatedLink[]>([]);
  const create = useMutation(trpc.downloadLinks.create.mutationOptions());
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [downloading, setDownloading] = useState(false);
  const artifacts = detail.data?.artifacts ?? [];
  // An encrypted backup's files are handed out decrypted by the console (the default) or as the stored age files.
  const encryptedBackup = artifacts.some((a) => a.fileName.endsWith(".age"));
  const [form, setForm] = useState<"decrypted" | "encrypted">("decrypted");
  const formats = sources.exportFormats(backup.source);
  const [downloadAs, setDownloadAs] = useState<DownloadAs>("");
  const [neutralize, setNeutralize] = useState(false);
  const exporting = formats.find((f) => f.id === downloadAs);
  const linkTitle = (l: Pick<CreatedLink, "artifact" | "format" | "neutralized">) => {
    if (!l.format) return title(l.artifact);
    const name = formats.find((f) => f.id === l.format)?.title ?? l.format;
    return l.neutralized ? `${name}, neutralized` : name;
  };

  /** One link per stored file, or one link to the chosen export, living `seconds`. */
  async function issueLinks(seconds: ExpirySeconds): Promise<CreatedLink[]> {
    const made: CreatedLink[] = [];
    if (exporting) made.push(await create.mutateAsync({ backupId: backup.id, format: exporting.id, neutralize, expiresIn: seconds }));
    else for (const a of artifacts) {
      const encrypted = a.fileName.endsWith(".age") ? form === "encrypted" : undefined;
      made.push(await create.mutateAsync({ backupId: backup.id, artifact: a.kind, expiresIn: seconds, encrypted }));
    }
    await queryClient.invalidateQueries(trpc.downloadLinks.list.queryFilter({ backupId: backup.id }));
    return made;
  }

  async function createLinks() {
    setBusy(true);
    setFailure(null);
    try {
      setLinks(await issueLinks(expiresIn));
    } catch (err) {
      setFailure(errorInfo(err)?.message ?? "The links could not be created");
    } finally {
      setBusy(false);
    }
  }

  // One-click download: the shortest-lived links, opened at once; the links still show among the issued ones.
  async function downloadNow() {
    setDownloading(true);
    setFailure(null);
    try {
      const made = await issueLinks(SHORTEST_EXPIRY);
      for (const l of made) startDownload(l.url, l.fileName);
      const [only] = made;
      toast.success(made.length === 1 && only ? `Download started: ${only.fileName}` : `Download started: ${made.length} files`);
    } catch (err) {
      setFailure(errorInfo(err)?.message ?? "The download could not be started");
    } finally {
      setDownloading(false);
    }
  }

  return (
    <Dialog
      open
      size="lg"
      onClose={onClose}
      title="Download backup"
      description={`${backup.projectName} / ${backup.environmentName}, taken ${formatDateTime(backup.finishedAt ?? backup.createdAt)}`}
      footer={<Button variant="secondary" onClick={onClose}>Close</Button>}
    >
      <div className="space-y-5">
        <div className="flex flex-wrap items-end gap-3">
          <Field label="URL expiration" htmlFor="download-expiry" hint="Anyone with a link can download the file until then.">
            <Select id="download-expiry" value={expiresIn} onChange={(e) => setExpiresIn(Number(e.target.value) as ExpirySeconds)}>
              {EXPIRY_OPTIONS.map((o) => (
                <option key={o.seconds} value={o.seconds}>
                  {o.label}
                </option>
              ))}
            </Select>
          </Field>
          {formats.length > 0 && (
            <Field label="Download as" htmlFor="download-as" hint="The stored files, or one file built from them.">
              <Select id="download-as" value={downloadAs} onChange={(e) => setDownloadAs(e.target.value)}>
                <option value="">Backup files</option>
                {formats.map((f) => (
                  <option key={f.id} value={f.id}>
                    {f.title}
                  </option>
                ))}
              </Select>
            </Field>
          )}
          {encryptedBackup && !exporting && (
            <Field label="Files" htmlFor="download-form" hint="The backup is encrypted to the organization key.">
              <Select id="download-form" value={form} onChange={(e) => setForm(e.target.value as "decrypted" | "encrypted")}>
                <option value="decrypted">Decrypted (.gz)</option>
                <option value="encrypted">Encrypted (.gz.age)</option>
              </Select>
            </Field>
          )}
          {!exporting && (
            <div className="mb-6 flex gap-2">
              <Button onClick={downloadNow} loading={downloading} disabled={artifacts.length === 0 || busy} title={ONE_CLICK_TITLE}>
                Download now
              </Button>
              <Button variant="secondary" onClick={createLinks} loading={busy} disabled={artifacts.length === 0 || downloading}>
                {links.length ? "Create new links" : "Create links"}
              </Button>
            </div>
          )}
        </div>
        {exporting && (
          <div className="space-y-3 rounded-md bg-slate-50 p-3 ring-1 ring-slate-200 ring-inset">
            {exporting.description && <p className="text-sm text-slate-600">{exporting.description}</p>}
            {sources.can(backup.source, "neutralize") && (
              <Checkbox
                id="download-neutralize"
                label="Neutralized (for testing)"
                hint="The copy cannot send email, run scheduled actions or take payments, as a neutralized restore."
                checked={neutralize}
                onChange={(e) => setNeutralize(e.target.checked)}
              />
            )}
            <div className="flex gap-2">
              <Button onClick={downloadNow} loading={downloading} disabled={artifacts.length === 0 || busy} title={ONE_CLICK_TITLE}>
                Download now
              </Button>
              <Button variant="secondary" onClick={createLinks} loading={busy} disabled={artifacts.length === 0 || downloading}>
                {links.length ? "Create a new link" : "Create link"}
              </Button>
            </div>
          </div>
        )}
        {detail.error && <Alert tone="danger">{errorInfo(detail.error)?.message}</Alert>}
        {failure && <Alert tone="danger">{failure}</Alert>}
        {links.length > 0 && (
          <ul className="space-y-3" aria-label="Download links">
            {links.map((l) => (
              <li key={l.id} className="rounded-md p-3 ring-1 ring-slate-200 ring-inset">
                <div className="mb-2 flex flex-wrap items-baseline justify-between gap-2">
                  <p className="text-sm font-medium text-slate-900">
                    {linkTitle(l)} <span className="font-normal text-slate-500">· {l.size === null ? "built as it downloads" : formatBytes(l.size)}</span>
                  </p>
                  <p className="font-mono text-xs text-slate-500">{l.fileName}</p>
                </div>
                <CopyLink url={l.url} label={linkTitle(l)} />
                <p className="mt-1.5 text-xs text-slate-500">
                  Valid until {formatDateTime(l.expiresAt)}
                  {l.signedBy === "provider" ? " · signed by the storage: revoking it cannot stop it early" : " · streams through the console; revoking stops it at once"}
                </p>
                {l.encrypted && (
                  <p className="mt-1.5 text-xs text-amber-800" data-testid="decrypt-hint">
                    Encrypted (age): decrypt it with the organization&apos;s recovery kit, e.g.{" "}
                    <code className="font-mono">age -d -i &lt;recovery kit&gt; {l.fileName} | gunzip &gt; {l.fileName.replace(/\.gz\.age$/, "")}</code>
                  </p>
                )}
              </li>
            ))}
          </ul>
        )}
        <IssuedLinks backupId={backup.id} title={linkTitle} />
      </div>
    </Dialog>
  );
}

/** Starts the browser's download of `url` (served as an attachment) without leaving the console. */
function startDownload(url: string, fileName: string) {
  const a = document.createElement("a");
  a.href = url;
  a.download = fileName;
  a.rel = "noopener";
  document.body.appendChild(a);
  a.click();
  a.remove();
}
