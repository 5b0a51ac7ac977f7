import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import superjson from "superjson";
import type { Role } from "@/server/db/schema";
import { runCli, startConsole, type ConsoleProcess } from "./console-process";
import { createTestDatabase, type TestDatabase } from "./database";

export type ApiAnswer = { status: number; body: unknown };
export type Member = { email: string; token: string };

export type ConsoleWithMembers = {
  app: ConsoleProcess;
  t: TestDatabase;
  /** The environment to run CLI commands against this console with. */
  cliEnv: Record<string, string>;
  members: Record<Role, Member>;
  /** A REST call (`/api/v1` + path) as `member`. */
  rest: (member: Member, method: string, path: string, body?: unknown) => Promise<ApiAnswer>;
  /** A tRPC call over HTTP (what the browser does) as `member`: `{ status, body }` with the result or the error's `{ message, data }`. */
  trpc: (member: Member, procedure: string, input: unknown, kind?: "query" | "mutation") => Promise<ApiAnswer>;
  /** A REST call as the owner that must succeed (it throws with the answer otherwise): its body, e.g. what it created. */
  must: (method: string, path: string, body?: unknown) => Promise<{ id: string }>;
  stop: () => Promise<void>;
};

/**
 * A console started the way `npm start` starts it, on a fresh database (or `database`, which the caller then
 * drops), with one member of each role created through the CLI and an API token for each: what the security
 * tests attack.
 */
export async function startConsoleWithMembers(env: Record<string, string> = {}, database?: TestDatabase): Promise<ConsoleWithMembers> {
  const t = database ?? (await createTestDatabase());
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "safehold-console-"));
  const cliEnv = { DATABASE_URL: t.url, SAFEHOLD_DATA_DIR: dataDir, ...env };
  const app = await startConsole(cliEnv);
  const members = {} as Record<Role, Member>;
  try {
    for (const role of ["owner", "admin", "operator", "viewer"] as const) {
      const email = `${role}@security.test`;
      const created = await runCli(["user", "create", "--email", email, "--org", "Security agency", "--role", role], cliEnv, `${role}-password-1\n`);
      if (created.code !== 0) throw new Error(`user create failed: ${created.stderr}`);
      const token = await runCli(["token", "create", "--email", email, "--name", "tests"], cliEnv);
      if (token.code !== 0) throw new Error(`token create failed: ${token.stderr}`);
      members[role] = { email, token: token.stdout.trim().split("\n").pop()! };
    }
  } catch (err) {
    // The caller never gets a handle to stop it: a console left running would slow every later test.
    await app.stop();
    if (!database) await t.drop();
    throw err;
  }

  const rest = async (member: Member, method: string, route: string, body?: unknown): Promise<ApiAnswer> => {
    const headers: Record<string, string> = { authorization: `Bearer ${member.token}` };
    if (body !== undefined) headers["content-type"] = "application/json";
    const response = await fetch(`${app.url}/api/v1${route}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  };

  const trpc = async (member: Member, procedure: string, input: unknown, kind: "query" | "mutation" = "mutation"): Promise<ApiAnswer> => {
    const headers = { authorization: `Bearer ${member.token}`, "content-type": "application/json" };
    const serialized = superjson.serialize(input);
    const response =
      kind === "mutation"
        ? await fetch(`${app.url}/api/trpc/${procedure}`, { method: "POST", headers, body: JSON.stringify(serialized) })
        : await fetch(`${app.url}/api/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(serialized))}`, { headers });
    const answer = (await response.json()) as { result?: { data: { json: unknown } }; error?: { json: unknown } };
    return { status: response.status, body: answer.result ? answer.result.data.json : answer.error?.json };
  };

  const must = async (method: string, route: string, body?: unknown): Promise<{ id: string }> => {
    const r = await rest(members.owner, method, route, body);
    if (r.status >= 300) throw new Error(`${method} ${route}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body as { id: string };
  };

  return {
    app,
    t,
    cliEnv,
    members,
    rest,
    trpc,
    must,
    stop: async () => {
      await app.stop();
      if (!database) await t.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
