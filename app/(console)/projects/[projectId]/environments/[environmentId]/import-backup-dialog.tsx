"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Button } from "@/app/_components/ui/button";
import { Dialog } from "@/app/_components/ui/dialog";
import { Field, Input } from "@/app/_components/ui/field";
import { RadioCard } from "@/app/_components/ui/radio-card";
import { Alert } from "@/app/_components/ui/layout";
import { errorInfo } from "@/app/_lib/errors";
import { useTRPC } from "@/app/_lib/trpc";
import type { ImportFormat } from "@/app/_components/plugin-contributions";
import { UploadImport } from "./upload-import";

type From = "upload" | "url" | "server";

/** Imports a file in one of the formats the environment's source declares as a backup of type Imported: uploaded, from a URL or from a path on its server. */
export function ImportBackupDialog({ environmentId, formats, onClose }: { environmentId: string; formats: ImportFormat[]; onClose: () => void }) {
  const endings = [...new Set(formats.flatMap((f) => f.extensions))];
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [from, setFrom] = useState<From>("upload");
  const [file, setFile] = useState<File | null>(null);
  const [location, setLocation] = useState("");
  const [name, setName] = useState("");
  const create = useMutation(
    trpc.imports.create.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries();
        onClose();
      },
    }),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (from === "upload") return;
    const source = from === "url" ? { kind: "url" as const, url: location } : { kind: "server" as const, path: location };
    create.mutate({ environmentId, from: source, name });
  };
  const error = errorInfo(create.error);
  return (
    <Dialog
      open
      title="Import backup"
      wide
      description={`${formats.map((f) => f.title).join(" or ")}. It is checked, stored like a backup and can then be restored.`}
      onClose={onClose}
      footer={
        <>
          <Button variant="secondary" onClick={onClose}>
            {from === "upload" ? "Close" : "Cancel"}
          </Button>
          {from !== "upload" && (
            <Button type="submit" form="import-backup" loading={create.isPending} disabled={!location.trim()}>
              Import
            </Button>
          )}
        </>
      }
    >
      <form id="import-backup" className="space-y-4" onSubmit={submit}>
        <div className="grid gap-3 sm:grid-cols-3">
          <RadioCard name="import-from" value="upload" checked={from === "upload"} onChange={() => setFrom("upload")} title="Upload a file" description="From this computer; resumes after a cut" />
          <RadioCard name="import-from" value="url" checked={from === "url"} onChange={() => setFrom("url")} title="From a URL" description="A link the console can reach (http or https)" />
          <RadioCard name="import-from" value="server" checked={from === "server"} onChange={() => setFrom("server")} title="From the server" description="A file in the allowed folders of this environment's server" />
        </div>
        {from === "upload" ? (
          <div className="space-y-3">
            <Field label="File" hint={formats.map((f) => `${(f.description ?? f.title).replace(/\.$/, "")}.`).join(" ")} htmlFor="import-file">
              <Input id="import-file" type="file" accept={[...new Set(endings.map((e) => e.slice(e.lastIndexOf("."))))].join(",")} disabled={file !== null} onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
            </Field>
            {file && <UploadImport environmentId={environmentId} file={file} />}
          </div>
        ) : (
          <>
            <Field label={from === "url" ? "URL" : "Path on the server"} htmlFor="import-location" error={error?.fields.url ?? error?.fields.path}>
              <Input id="import-location" value={location} onChange={(e) => setLocation(e.target.value)} placeholder={from === "url" ? "https://files.example.com/acme_2026-12-01.zip" : "/var/backups/acme.dump"} required />
            </Field>
            <Field label="Name" hint="Optional; defaults to where the file came from" htmlFor="import-name">
              <Input id="import-name" value={name} onChange={(e) => setName(e.target.value)} maxLength={200} />
            </Field>
            {error && !error.fields.url && !error.fields.path && <Alert tone="danger">{error.message}</Alert>}
          </>
        )}
      </form>
    </Dialog>
  );
}
