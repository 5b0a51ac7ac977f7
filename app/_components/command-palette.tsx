"use client";

import * as RadixDialog from "@radix-ui/react-dialog";
import { useQuery } from "@tanstack/react-query";
import { Command } from "cmdk";
import { Archive, FolderKanban, Layers, Search } from "lucide-react";
import { useRouter } from "next/navigation";
import { useEffect, useState, type ReactNode } from "react";
import { useDebouncedValue } from "@/app/_components/policies/use-debounced-value";
import { QueryError } from "@/app/_components/ui/query-state";
import { BACKUP_STATUS_LABEL, STAGE_LABEL, formatDateTime } from "@/app/_lib/format";
import { useTRPC } from "@/app/_lib/trpc";

/** The event the "Search…" button sends; the palette mounted once in the console layout opens on it. */
const OPEN_EVENT = "safehold:command-palette";
const SEARCH_DELAY_MS = 150;

export function openCommandPalette() {
  window.dispatchEvent(new Event(OPEN_EVENT));
}

/** "Search…" with its shortcut: the visible way to the palette, for the top of the sidebar. */
export function CommandPaletteButton() {
  return (
    <button
      type="button"
      onClick={openCommandPalette}
      aria-keyshortcuts="Control+K Meta+K"
      className="flex w-full items-center gap-2 rounded-md bg-slate-800/70 px-3 py-2 text-sm text-slate-400 ring-1 ring-slate-700 ring-inset hover:bg-slate-800 hover:text-white"
    >
      <Search className="size-4 shrink-0" aria-hidden />
      <span className="flex-1 text-left">Search…</span>
      <kbd className="rounded bg-slate-700 px-1.5 py-0.5 font-sans text-[0.65rem] text-slate-300">⌘K</kbd>
    </button>
  );
}

function Item({ value, onSelect, icon, children, hint }: { value: string; onSelect: () => void; icon: ReactNode; children: ReactNode; hint?: ReactNode }) {
  return (
    <Command.Item value={value} onSelect={onSelect} className="flex cursor-pointer items-center gap-3 rounded-md px-3 py-2 text-sm text-slate-700 data-[selected=true]:bg-brand-50 data-[selected=true]:text-brand-800">
      <span className="shrink-0 text-slate-400">{icon}</span>
      <span className="min-w-0 flex-1 break-words">{children}</span>
      {hint && <span className="shrink-0 text-xs text-slate-500">{hint}</span>}
    </Command.Item>
  );
}

const group = "px-1 py-1 [&_[cmdk-group-heading]]:px-3 [&_[cmdk-group-heading]]:py-1.5 [&_[cmdk-group-heading]]:text-xs [&_[cmdk-group-heading]]:font-semibold [&_[cmdk-group-heading]]:text-slate-500 [&_[cmdk-group-heading]]:uppercase";

function Results({ q, go }: { q: string; go: (href: string) => void }) {
  const trpc = useTRPC();
  // No placeholder from the previous words: results for "" must never stand under "zenith".
  const results = useQuery(trpc.fleet.search.queryOptions({ q, limit: 8 }));
  if (results.isError && !results.data) return <QueryError what="the search" error={results.error} onRetry={results.refetch} retrying={results.isRefetching} />;
  if (!results.data) return <Command.Loading className="px-4 py-6 text-center text-sm text-slate-500">Searching…</Command.Loading>;
  const { projects, environments, backups } = results.data;
  return (
    <>
      <Command.Empty className="px-4 py-6 text-center text-sm text-slate-500">Nothing matches &ldquo;{q}&rdquo;.</Command.Empty>
      {projects.length > 0 && (
        <Command.Group heading="Clients" className={group}>
          {projects.map((p) => (
            <Item key={p.id} value={`project:${p.id}`} onSelect={() => go(`/projects/${p.id}`)} icon={<FolderKanban className="size-4" />} hint={`${p.environments} ${p.environments === 1 ? "environment" : "environments"}`}>
              {p.name}
            </Item>
          ))}
        </Command.Group>
      )}
      {environments.length > 0 && (
        <Command.Group heading="Environments" className={group}>
          {environments.map((e) => (
            <Item key={e.id} value={`environment:${e.id}`} onSelect={() => go(`/projects/${e.projectId}/environments/${e.id}`)} icon={<Layers className="size-4" />} hint={STAGE_LABEL[e.stage]}>
              <span className="font-medium">{e.projectName}</span> <span className="text-slate-400">/</span> {e.name}
            </Item>
          ))}
        </Command.Group>
      )}
      {backups.length > 0 && (
        <Command.Group heading="Recent backups" className={group}>
          {backups.map((b) => (
            <Item key={b.id} value={`backup:${b.id}`} onSelect={() => go(`/projects/${b.projectId}/environments/${b.environmentId}`)} icon={<Archive className="size-4" />} hint={BACKUP_STATUS_LABEL[b.status]}>
              {b.projectName} <span className="text-slate-400">/</span> {b.environmentName} <span className="text-slate-500">· {b.name || formatDateTime(b.createdAt)}</span>
            </Item>
          ))}
        </Command.Group>
      )}
    </>
  );
}

/**
 * ⌘K / Ctrl+K anywhere in the console (or the "Search…" button) opens a palette that searches clients, environments
 * and recent backups on the server as you type, and jumps to the one chosen. Mounted once, in the console layout.
 */
export function CommandPalette() {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [q, setQ] = useState("");
  const settled = useDebouncedValue(q.trim(), SEARCH_DELAY_MS);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.metaKey || e.ctrlKey) && !e.altKey && !e.shiftKey && e.key.toLowerCase() === "k") {
        e.preventDefault();
        setOpen((was) => !was);
      }
    };
    const onOpen = () => setOpen(true);
    window.addEventListener("keydown", onKey);
    window.addEventListener(OPEN_EVENT, onOpen);
    return () => {
      window.removeEventListener("keydown", onKey);
      window.removeEventListener(OPEN_EVENT, onOpen);
    };
  }, []);
  const close = (next: boolean) => {
    setOpen(next);
    if (!next) setQ("");
  };
  const go = (href: string) => {
    close(false);
    router.push(href);
  };
  return (
    <Command.Dialog
      open={open}
      onOpenChange={close}
      label="Search clients, environments and backups"
      shouldFilter={false}
      // Ctrl+K is the palette's own toggle: cmdk's Ctrl+N/J/P/K list moves would fight it.
      vimBindings={false}
      loop
      overlayClassName="fixed inset-0 z-50 bg-slate-900/40"
      contentClassName="fixed top-[12vh] left-1/2 z-50 w-[calc(100%-2rem)] max-w-xl -translate-x-1/2 overflow-hidden rounded-lg bg-white shadow-xl ring-1 ring-slate-200"
    >
      <RadixDialog.Title className="sr-only">Search clients, environments and backups</RadixDialog.Title>
      <RadixDialog.Description className="sr-only">Type a client, environment or backup name, then choose a result to go there.</RadixDialog.Description>
      <div className="flex items-center gap-2 border-b border-slate-200 px-4">
        <Search className="size-4 shrink-0 text-slate-400" aria-hidden />
        <Command.Input value={q} onValueChange={setQ} placeholder="Search clients, environments, backups…" className="w-full bg-transparent py-3 text-sm text-slate-900 outline-none placeholder:text-slate-400" />
      </div>
      <Command.List className="max-h-[60vh] overflow-y-auto p-1">{open && <Results q={settled} go={go} />}</Command.List>
    </Command.Dialog>
  );
}
