import { randomUUID } from "node:crypto";
import { and, asc, eq, gt, or, type SQL } from "drizzle-orm";
import type { AnyPgColumn, PgTable } from "drizzle-orm/pg-core";
import type { z } from "zod";
import type { Principal } from "@/server/auth/principal";
import { hasRole } from "@/server/auth/principal";
import type { Sealed } from "@/server/crypto/secret-box";
import type { DbOrTx } from "@/server/db";
import type { Role } from "@/server/db/schema";
import { sealSecret, type SealedColumn } from "@/server/db/sealed-columns";
import { ConflictError, ForbiddenError, NotFoundError } from "@/server/errors";
import type { ContributionKind, PluginConfig, TestResult } from "@/server/plugins/contracts";
import type { PluginHost } from "@/server/plugins/host";
import { recordActivity } from "./activity";
import { decodeCursor, type pageInput, toPage } from "./pagination";
import { presentConfig, readableSecrets, storedConfig, takeConfig } from "./plugin-config";

/**
 * One path for the rows whose behaviour comes from a plugin contribution plus a configuration with sealed
 * secrets: servers (`serverKinds`), storage locations (`storageProviders`) and notification channels
 * (`notifiers`). A descriptor names the table, the contribution, the column holding its id, the sealed column,
 * the activity names and roles, what still uses a row (the delete guard) and the hooks for each kind's extras.
 */

/** The columns every configured resource has; `K` is the column holding the contribution id. */
export type ConfiguredRow<K extends string> = { id: string; orgId: string; name: string; config: PluginConfig; secrets: Sealed; createdAt: Date } & Record<K, string>;

type Columns = { id: AnyPgColumn; orgId: AnyPgColumn; name: AnyPgColumn };

/** Aggregates over what uses a row (counted through a left join), shown with it and read by the delete guard. */
export type UsageOf<U> = {
  join: { table: PgTable; on: SQL };
  fields: { [F in keyof U]: SQL<U[F]> };
  /** A new row's usage. */
  none: U;
};

export type ResourceAction = "read" | "write" | "test" | "testSettings";

/** What the probe of a test gets: the stored row (when testing a saved one) and, on demand, the settings to test. */
export type TestProbe<Row> = {
  db: DbOrTx;
  plugins: PluginHost;
  actor: Principal;
  stored: Row | undefined;
  contributionId: string;
  /** The whole configuration to test: incoming (or stored) settings, masked secrets put back under the identity rule, validated and checked. */
  settings: () => Promise<PluginConfig>;
};

export type ResourceDescriptor<K extends string, Row extends ConfiguredRow<K>, U extends object, Item, CreateIn, UpdateIn> = {
  table: PgTable & Columns;
  /** As messages name it: "server", "storage location", "notification channel". */
  noun: string;
  contribution: ContributionKind;
  /** The column (and input field) holding the contribution id: `kind`, `provider` or `notifier`. */
  kindField: K;
  /** How a create's activity message names the contribution: "Kind", "Provider", "Notifier". */
  kindLabel: string;
  secrets: SealedColumn<PluginConfig>;
  /** Activity action prefix and target type, e.g. `server` → `server.create`. */
  activity: string;
  /** The least role for each action; `testSettings` is testing edited or new (unsaved) settings. */
  roles: Record<ResourceAction, Role>;
  usage?: UsageOf<U>;
  /** The conflict message when something still uses the row (nothing: it may go). */
  deleteGuard?: (row: Row & U) => string | undefined;
  /** Inside the delete's transaction, before the row goes: e.g. take it out of what names it. */
  beforeDelete?: (tx: DbOrTx, actor: Principal, row: Row & U) => Promise<void>;
  toItem: (row: Row & U, config: PluginConfig) => Item;
  create: {
    /** Inside the transaction, after the name check: the extra columns, and words added to the activity message. */
    prepare?: (tx: DbOrTx, actor: Principal, input: CreateIn, id: string) => Promise<{ values: Partial<Row>; note?: string }>;
  };
  update: {
    /** Inside the transaction, after the settings are taken: the extra columns. */
    prepare?: (tx: DbOrTx, actor: Principal, input: UpdateIn, current: Row & U) => Promise<Partial<Row>>;
  };
  test: {
    /** Why an operator may not test edited or new settings. */
    settingsForbidden: string;
    /** The activity label of a test of settings not saved yet. */
    draftLabel: (contributionId: string) => string;
    probe: (probe: TestProbe<Row & U>) => Promise<TestResult>;
  };
};

type CommonCreate<K extends string> = { name: string; config: PluginConfig } & Record<K, string>;
type CommonUpdate = { id: string; name?: string; config?: PluginConfig };
type TestInput<K extends string> = { id: string; config?: PluginConfig } | ({ config: PluginConfig } & Record<K, string>);
type PageInput = z.infer<z.ZodObject<typeof pageInput>>;

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The operations of one kind of configured resource, each taking the db handle (or a transaction) first. */
export function configuredResource<K extends string, Row extends ConfiguredRow<K>, U extends object, Item, CreateIn extends CommonCreate<K>, UpdateIn extends CommonUpdate>(
  d: ResourceDescriptor<K, Row, U, Item, CreateIn, UpdateIn>,
) {
  const t = d.table;
  const fieldOptions = { kindField: d.kindField, configField: "config" };
  const Noun = capitalized(d.noun);

  function assertRole(actor: Principal, action: ResourceAction, message?: string) {
    const role = d.roles[action];
    if (!hasRole(actor.role, role)) throw new ForbiddenError(message ?? `Your role (${actor.role}) cannot do this: it needs ${role} or higher`);
  }

  // Usage is counted through a join: drizzle leaves columns unqualified in a single-table select, which a correlated subquery would misread.
  function select(db: DbOrTx, where: SQL | undefined) {
    const query = db.select({ row: t, ...(d.usage?.fields ?? {}) } as Record<string, PgTable | SQL>).from(t);
    const joined = d.usage ? query.leftJoin(d.usage.join.table, d.usage.join.on) : query;
    return joined.where(where).groupBy(t.id);
  }

  function withUsage(r: Record<string, unknown>): Row & U {
    const { row, ...usage } = r;
    return { ...(row as Row), ...(usage as U) };
  }

  function present(plugins: PluginHost, row: Row & U): Item {
    const contributionId = row[d.kindField];
    return d.toItem(row, presentConfig(plugins, d.contribution, contributionId, row.config, readableSecrets(d.secrets, row.id, row.secrets)));
  }

  async function assertNameFree(db: DbOrTx, actor: Principal, name: string, exceptId?: string) {
    const [clash] = await db.select({ id: t.id }).from(t).where(and(eq(t.orgId, actor.orgId), eq(t.name, name)));
    if (clash && clash.id !== exceptId) throw new ConflictError(`A ${d.noun} named "${name}" already exists`);
  }

  /** Paginated by name, then id (keyset). */
  async function list(db: DbOrTx, plugins: PluginHost, actor: Principal, input: PageInput) {
    assertRole(actor, "read");
    const filters = [eq(t.orgId, actor.orgId)];
    if (input.cursor) {
      const [name, id] = decodeCursor(input.cursor, 2) as [string, string];
      filters.push(or(gt(t.name, name), and(eq(t.name, name), gt(t.id, id)))!);
    }
    const rows = (await select(db, and(...filters)).orderBy(asc(t.name), asc(t.id)).limit(input.limit + 1)).map(withUsage);
    return toPage(rows, input.limit, (row) => present(plugins, row), (row) => [row.name, row.id]);
  }

  /** The row with its usage, in the actor's organization; NotFoundError (naming `field` when given) otherwise. */
  async function find(db: DbOrTx, actor: Principal, id: string, field?: string): Promise<Row & U> {
    assertRole(actor, "read");
    const [row] = await select(db, and(eq(t.id, id), eq(t.orgId, actor.orgId)));
    if (!row) throw new NotFoundError(field ? `${Noun} (${field})` : Noun);
    return withUsage(row);
  }

  async function get(db: DbOrTx, plugins: PluginHost, actor: Principal, id: string): Promise<Item> {
    return present(plugins, await find(db, actor, id));
  }

  async function create(db: DbOrTx, plugins: PluginHost, actor: Principal, input: CreateIn): Promise<Item> {
    assertRole(actor, "write");
    const contributionId = input[d.kindField];
    const prepared = await takeConfig(plugins, d.contribution, contributionId, input.config, undefined, fieldOptions);
    return db.transaction(async (tx) => {
      await assertNameFree(tx, actor, input.name);
      const id = randomUUID();
      const extra: { values: Partial<Row>; note?: string } = d.create.prepare ? await d.create.prepare(tx, actor, input, id) : { values: {} };
      const values = { ...extra.values, id, orgId: actor.orgId, name: input.name, [d.kindField]: contributionId, config: prepared.config, secrets: sealSecret(d.secrets, id, prepared.secrets) };
      const [row] = (await tx.insert(t).values(values as never).returning()) as Row[];
      await recordActivity(tx, actor, { action: `${d.activity}.create`, targetType: d.activity, targetId: row!.id, targetLabel: row!.name, message: `${d.kindLabel} ${contributionId}${extra.note ?? ""}` });
      return present(plugins, { ...row!, ...(d.usage?.none as U) });
    });
  }

  /**
   * Changes the fields given. The contribution never changes; masked secrets sent back keep the stored ones only
   * while the configuration's identity fields are unchanged (see `restoreMaskedSecrets`).
   */
  async function update(db: DbOrTx, plugins: PluginHost, actor: Principal, input: UpdateIn): Promise<Item> {
    assertRole(actor, "write");
    return db.transaction(async (tx) => {
      const current = await find(tx, actor, input.id);
      if (input.name && input.name !== current.name) await assertNameFree(tx, actor, input.name, current.id);
      // Secrets that do not open here (another key, another row's value) are not kept: the edit must type them again.
      const stored = { ...current.config, ...readableSecrets(d.secrets, current.id, current.secrets) };
      const prepared = await takeConfig(plugins, d.contribution, current[d.kindField], input.config ?? current.config, { config: stored }, fieldOptions);
      const extra = d.update.prepare ? await d.update.prepare(tx, actor, input, current) : {};
      const values = { ...extra, name: input.name ?? current.name, config: prepared.config, secrets: sealSecret(d.secrets, current.id, prepared.secrets) };
      const [row] = (await tx
        .update(t)
        .set(values as never)
        .where(and(eq(t.id, current.id), eq(t.orgId, actor.orgId)))
        .returning()) as Row[];
      await recordActivity(tx, actor, { action: `${d.activity}.update`, targetType: d.activity, targetId: row!.id, targetLabel: row!.name });
      return present(plugins, { ...current, ...row! });
    });
  }

  /** Refused (ConflictError) while something still uses the row. */
  async function remove(db: DbOrTx, actor: Principal, id: string): Promise<void> {
    assertRole(actor, "write");
    await db.transaction(async (tx) => {
      const current = await find(tx, actor, id);
      const inUse = d.deleteGuard?.(current);
      if (inUse) throw new ConflictError(inUse);
      await d.beforeDelete?.(tx, actor, current);
      await tx.delete(t).where(and(eq(t.id, id), eq(t.orgId, actor.orgId)));
      await recordActivity(tx, actor, { action: `${d.activity}.delete`, targetType: d.activity, targetId: id, targetLabel: current.name });
    });
  }

  /** Tests a saved row as it is, or with edited (unsaved) settings, or a new row's settings; recorded in the activity log. */
  async function test(db: DbOrTx, plugins: PluginHost, actor: Principal, input: TestInput<K>): Promise<TestResult> {
    assertRole(actor, "test");
    if (input.config) assertRole(actor, "testSettings", d.test.settingsForbidden);
    const stored = "id" in input ? await find(db, actor, input.id) : undefined;
    const contributionId = stored ? stored[d.kindField] : ((input as Record<K, string>)[d.kindField] ?? "");
    const settings = async () => {
      const saved = stored ? storedConfig(d.secrets, stored.id, stored.config, stored.secrets) : undefined;
      const incoming = input.config ?? stored?.config ?? {};
      const { full } = await takeConfig(plugins, d.contribution, contributionId, incoming, saved && { config: saved }, fieldOptions);
      return full;
    };
    const result = await d.test.probe({ db, plugins, actor, stored, contributionId, settings });
    await recordActivity(db, actor, {
      action: `${d.activity}.test`,
      targetType: d.activity,
      targetId: stored?.id ?? null,
      targetLabel: stored?.name ?? d.test.draftLabel(contributionId),
      outcome: result.ok ? "success" : "failure",
      message: result.message,
    });
    return result;
  }

  return { list, find, get, create, update, delete: remove, test };
}
