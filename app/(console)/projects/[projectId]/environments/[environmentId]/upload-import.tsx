"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { Upload as TusUpload } from "tus-js-client";
import { Button } from "@/app/_components/ui/button";
import { Alert } from "@/app/_components/ui/layout";
import { formatBytes } from "@/app/_lib/format";
import { useTRPC } from "@/app/_lib/trpc";

/** Each request carries at most this much: a cut connection loses at most one chunk, and the upload resumes after the last one taken in. */
const CHUNK_BYTES = 8 * 1024 * 1024;

type State = { phase: "idle" } | { phase: "uploading"; sent: number; total: number; retrying: boolean } | { phase: "failed"; message: string } | { phase: "uploaded"; backupId: string };

/** Why the upload failed, in the line the console answered with (never the library's request dump). */
function uploadError(err: Error & { originalResponse?: { getBody(): string } | null }): string {
  const body = err.originalResponse?.getBody();
  if (body) return body.length > 300 ? `${body.slice(0, 300)}…` : body;
  return "The connection to the console was lost: resume the upload when it is back";
}

/** Uploads a file (tus, resumable) into the environment's import, with its progress; then follows the import until it ends. */
export function UploadImport({ environmentId, file }: { environmentId: string; file: File }) {
  const trpc = useTRPC();
  const [state, setState] = useState<State>({ phase: "idle" });
  const upload = useRef<TusUpload | null>(null);
  const backupId = state.phase === "uploaded" ? state.backupId : null;
  const backup = useQuery({
    ...trpc.backups.get.queryOptions({ id: backupId ?? "" }),
    enabled: backupId !== null,
    refetchInterval: (q) => (q.state.data && ["completed", "failed"].includes(q.state.data.status) ? false : 1000),
  });

  const queryClient = useQueryClient();
  const ended = backup.data?.status === "completed" || backup.data?.status === "failed";

  useEffect(() => () => void upload.current?.abort(), []);
  // The page's backup list shows the imported backup once the import has ended.
  useEffect(() => {
    if (ended) void queryClient.invalidateQueries();
  }, [ended, queryClient]);

  const start = () => {
    let created: string | null = null;
    upload.current ??= new TusUpload(file, {
      endpoint: "/api/uploads",
      chunkSize: CHUNK_BYTES,
      retryDelays: [0, 1000, 3000, 5000],
      metadata: { filename: file.name, environmentId },
      // A resume is only meaningful in this dialog: the import it feeds lives as long as the console process.
      storeFingerprintForResuming: false,
      onAfterResponse: (_req, res) => {
        created ??= res.getHeader("Safehold-Backup-Id") ?? null;
      },
      onShouldRetry: () => {
        setState((s) => (s.phase === "uploading" ? { ...s, retrying: true } : s));
        return true;
      },
      onProgress: (sent, total) => setState({ phase: "uploading", sent, total, retrying: false }),
      onError: (err) => {
        const failure = err as Error & { originalResponse?: { getBody(): string; getStatus(): number } | null };
        // The import ended while bytes were still coming (the file was refused): its backup says why.
        if (created && failure.originalResponse?.getStatus() === 404) setState({ phase: "uploaded", backupId: created });
        else setState({ phase: "failed", message: uploadError(failure) });
      },
      onSuccess: () => setState(created ? { phase: "uploaded", backupId: created } : { phase: "failed", message: "The console did not say which import the upload feeds" }),
    });
    setState({ phase: "uploading", sent: 0, total: file.size, retrying: false });
    upload.current.start();
  };

  if (state.phase === "idle") {
    return (
      <Button type="button" onClick={start}>
        Upload {file.name} ({formatBytes(file.size)})
      </Button>
    );
  }
  if (state.phase === "failed") {
    return (
      <div className="space-y-3">
        <Alert tone="danger">{state.message}</Alert>
        <Button type="button" variant="secondary" onClick={start}>
          Resume the upload
        </Button>
      </div>
    );
  }
  if (state.phase === "uploading") {
    const percent = state.total > 0 ? Math.floor((state.sent / state.total) * 100) : 0;
    return (
      <div className="space-y-1.5" data-upload-progress>
        <div className="flex justify-between text-xs text-slate-600">
          <span>{state.retrying ? "Connection lost: resuming…" : `Uploading ${file.name}`}</span>
          <span>
            {formatBytes(state.sent)} of {formatBytes(state.total)} · {percent}%
          </span>
        </div>
        <div role="progressbar" aria-label="Upload progress" aria-valuenow={percent} aria-valuemin={0} aria-valuemax={100} className="h-2 overflow-hidden rounded-full bg-slate-100">
          <div className="h-full rounded-full bg-brand-500 transition-all" style={{ width: `${percent}%` }} />
        </div>
      </div>
    );
  }
  const b = backup.data;
  if (b?.status === "completed") return <Alert tone="success">Imported: {file.name} is stored and verified as a backup of this environment.</Alert>;
  if (b?.status === "failed") return <Alert tone="danger">The import failed: {b.error}</Alert>;
  return <p className="text-sm text-slate-600">Uploaded. Checking and storing the file… {b?.progress ? `(${b.progress.phase})` : ""}</p>;
}
