import { posix } from "node:path";
import { z } from "zod";
import { isOneLine } from "@/server/validation/one-line";

/** What an admin decides for a server: which folders and databases environments may use, and which programs run. */
export type ServerPolicy = {
  /** The server's name, for messages. */
  name: string;
  allowedRoots: string[];
  databasePattern: string | null;
  programs: Record<string, string>;
  /** The databases the source's database server keeps for itself (its manifest's `reservedDatabases`). */
  reservedDatabases?: readonly string[];
  /** Where backups and restores compress: on the server when it can (the default, fewer bytes cross), or always on the console. */
  compressOn?: CompressOn;
};

export const COMPRESS_ON = ["server", "worker"] as const;
export type CompressOn = (typeof COMPRESS_ON)[number];

export { DEFAULT_ALLOWED_ROOTS } from "@/shared/default-roots";


/** Folders of the operating system: never an allowed folder, nor inside one of the first group. */
const SYSTEM_TREES = ["/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/libx32", "/proc", "/root", "/run", "/sbin", "/sys", "/usr"];
const SYSTEM_FOLDERS = ["/", "/home", "/media", "/mnt", "/opt", "/srv", "/tmp", "/usr/local", "/var", "/var/lib", "/var/tmp"];


function within(path: string, folder: string): boolean {
  return folder === "/" || path === folder || path.startsWith(`${folder}/`);
}

/** Why `root` cannot be an allowed folder, or null. */
export function systemFolderProblem(root: string): string | null {
  if (SYSTEM_FOLDERS.includes(root)) return `${root} is a system folder: allow the folder that holds the environments' data instead (e.g. /var/lib/odoo)`;
  // Software installed by hand lives under /usr/local (e.g. /usr/local/odoo); the rest of /usr is the system's.
  const tree = SYSTEM_TREES.find((t) => within(root, t) && !(t === "/usr" && root.startsWith("/usr/local/")));
  return tree ? `${root} is inside the system folder ${tree}` : null;
}

const absolutePath = z
  .string()
  .trim()
  .min(1, "Enter an absolute path")
  .max(500)
  .refine((p) => isOneLine(p), "Paths are one line, without control characters")
  .refine((p) => p.startsWith("/"), "Enter an absolute path (starting with /)")
  .refine((p) => posix.normalize(p).replace(/(.)\/+$/, "$1") === p, "Write the path without `.`, `..`, doubled or trailing slashes");

const allowedRoot = absolutePath.superRefine((root, ctx) => {
  const problem = systemFolderProblem(root);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

const PROGRAM_NAME = /^[A-Za-z0-9_.+-]{1,64}$/;
const PATTERN = /^[A-Za-z0-9_$*?.-]+(\s*,\s*[A-Za-z0-9_$*?.-]+)*$/;

/** The server settings an admin may give when adding or editing a server. */
export const serverPolicyFields = {
  maxConcurrentOperations: z.number().int("Enter a whole number of operations").min(1, "Allow at least 1 operation at a time").max(50, "Allow at most 50 operations at a time"),
  allowedRoots: z.array(allowedRoot).max(20, "At most 20 folders"),
  databasePattern: z
    .string()
    .trim()
    .max(500)
    .regex(PATTERN, "Database patterns are names or globs (* and ?) separated by commas, e.g. odoo_*, crm_prod")
    .nullable(),
  programs: z
    .record(z.string(), absolutePath)
    .superRefine((programs, ctx) => {
      const names = Object.keys(programs);
      if (names.length > 20) ctx.addIssue({ code: "custom", message: "At most 20 programs" });
      for (const name of names.filter((n) => !PROGRAM_NAME.test(n))) {
        ctx.addIssue({ code: "custom", path: [name], message: `"${name}" is not a program name: letters, digits, and _ . + - only` });
      }
    }),
  compressOn: z
    .enum(COMPRESS_ON, { error: 'Compression happens on "server" (when it can) or "worker"' })
    .describe('Where backups are compressed and restores decompressed: "server" when it has gzip (fewer bytes cross the link; the default), "worker" to keep the work off the server'),
};

function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${body}$`);
}

/** Why `database` may not be used on this server, or null. */
export function databaseProblem(policy: ServerPolicy, database: string): string | null {
  // Whatever the pattern says, the database server's own databases are never an environment's.
  if (policy.reservedDatabases?.some((name) => name.toLowerCase() === database.toLowerCase())) return `"${database}" is one of the database server's own databases: choose the client's database`;
  if (!policy.databasePattern) return null;
  const globs = policy.databasePattern.split(",").map((g) => g.trim());
  if (globs.some((g) => globToRegExp(g).test(database))) return null;
  return `Database "${database}" is not allowed on server "${policy.name}" (allowed: ${policy.databasePattern}): an admin can change the server's database pattern`;
}

/** Why `path` (absolute, normalised, as resolved on the server) may not be used, or null; `roots` resolved the same way. */
export function folderProblem(policy: ServerPolicy, path: string, roots: string[], use: "read" | "replace"): string | null {
  const allowed = policy.allowedRoots.join(", ") || "none";
  const outside = `${path} is outside the folders allowed on server "${policy.name}" (${allowed}): an admin can allow its folder in the server's settings`;
  const root = roots.find((r) => within(path, r));
  if (!root) return outside;
  if (use === "replace" && path === root) return `${path} is an allowed folder itself: a restore moves aside and removes only folders inside it`;
  return null;
}

/** The lexical check of a path typed into a form, before the server is asked where it really leads. */
export function lexicalFolderProblem(policy: ServerPolicy, path: string): string | null {
  const normalized = posix.normalize(path).replace(/(.)\/+$/, "$1");
  return folderProblem(policy, normalized, policy.allowedRoots, "read");
}
