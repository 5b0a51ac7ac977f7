import { DEFAULT_ALLOWED_ROOTS } from "@/shared/default-roots";
import type { ServerRules } from "@/app/_components/server-rules";

/** One row of a list the admin edits; `key` keeps a row's identity (and its error) while rows come and go. */
export type FolderRow = { key: number; path: string };
export type ProgramRow = { key: number; name: string; path: string };

/** The "Rules for environments" of the server form, as typed. */
export type RulesDraft = { folders: FolderRow[]; databasePattern: string; programs: ProgramRow[]; compressOnServer: boolean };

/** What the API takes; `folderKeys`: the row each submitted folder came from, to put `allowedRoots.N` errors back. */
export type RulesInput = { allowedRoots: string[]; databasePattern: string | null; programs: Record<string, string>; compressOn: "server" | "worker"; folderKeys: number[] };

let lastKey = 0;
export const rowKey = () => ++lastKey;

/** Program names the built-in sources run; offered as suggestions. */

const PROGRAM_NAME = /^[A-Za-z0-9_.+-]{1,64}$/;

/** The rules of a saved server, or a new server's defaults (Odoo's usual folders, any database, programs from PATH). */
export function rulesDraft(server?: ServerRules): RulesDraft {
  const roots = server ? server.allowedRoots : DEFAULT_ALLOWED_ROOTS;
  return {
    folders: roots.map((path) => ({ key: rowKey(), path })),
    databasePattern: server?.databasePattern ?? "",
    programs: Object.entries(server?.programs ?? {}).map(([name, path]) => ({ key: rowKey(), name, path })),
    compressOnServer: (server?.compressOn ?? "server") === "server",
  };
}

/**
 * The draft as the API takes it, leaving out empty rows; or the problems the form shows before sending (a program
 * row half filled, a name twice: a map cannot hold them, so the server would never see them).
 */
export function rulesInput(draft: RulesDraft): { input: RulesInput; problems: Record<string, string> } {
  const folders = draft.folders.filter((row) => row.path.trim() !== "");
  const problems: Record<string, string> = {};
  const programs: Record<string, string> = {};
  for (const row of draft.programs) {
    const name = row.name.trim();
    const path = row.path.trim();
    if (!name && !path) continue;
    if (!name) problems[`program.${row.key}.name`] = "Name the program, as the sources run it";
    else if (!PROGRAM_NAME.test(name)) problems[`program.${row.key}.name`] = "Letters, digits and _ . + - only";
    else if (name in programs) problems[`program.${row.key}.name`] = `${name} is listed twice`;
    if (!path) problems[`program.${row.key}.path`] = "Enter the program's absolute path";
    if (name && path && !(name in programs)) programs[name] = path;
  }
  const pattern = draft.databasePattern.trim();
  return {
    input: { allowedRoots: folders.map((row) => row.path.trim()), databasePattern: pattern || null, programs, compressOn: draft.compressOnServer ? "server" : "worker", folderKeys: folders.map((row) => row.key) },
    problems,
  };
}

/**
 * The errors of the rules, keyed by what the form shows them at: `folder.<key>`, `program.<key>.name|path`,
 * `databasePattern`, `allowedRoots` and `programs` (the lists as a whole). `fields` are the API's
 * (`allowedRoots.0`, `programs.pg_dump`, ...) about `submitted`; an error goes once its value was edited.
 */
export function rulesErrors(fields: Record<string, string>, submitted: RulesInput | null, draft: RulesDraft): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!submitted) return errors;
  for (const [key, message] of Object.entries(fields)) {
    const folder = /^allowedRoots\.(\d+)$/.exec(key);
    const program = /^programs\.(.+)$/.exec(key);
    if (folder) {
      const index = Number(folder[1]);
      const row = draft.folders.find((r) => r.key === submitted.folderKeys[index]);
      if (row && row.path.trim() === submitted.allowedRoots[index]) errors[`folder.${row.key}`] = message;
    } else if (program) {
      const name = program[1]!;
      const row = draft.programs.find((r) => r.name.trim() === name && r.path.trim() === submitted.programs[name]);
      // A name refused as a key: say what names may be, rather than zod's "Invalid key in record".
      if (row && message === "Invalid key in record") errors[`program.${row.key}.name`] = "Letters, digits and _ . + - only";
      else if (row) errors[`program.${row.key}.path`] = message;
    } else if (key === "databasePattern") {
      if ((draft.databasePattern.trim() || null) === submitted.databasePattern) errors[key] = message;
    } else if (key === "allowedRoots" || key === "programs") {
      errors[key] = message;
    }
  }
  return errors;
}

/** Whether an API field error belongs to the rules section. */
export function isRulesField(key: string): boolean {
  return /^(allowedRoots|programs)(\.|$)/.test(key) || key === "databasePattern";
}
