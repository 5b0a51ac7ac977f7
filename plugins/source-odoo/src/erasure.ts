import type postgres from "postgres";
import { MAX_FINDING_ROUNDS, MESSAGE_FINDERS, PEOPLE_FINDERS, REWRITES, linkColumns, tooManyRounds, type Finder, type Replacement, type Rewrite, type RowTest } from "./erasure-rules";
import { ErasureSets } from "./erasure-sets";
import { addressPattern, parseSubjects } from "./erasure-subjects";
import type { OdooSchema } from "./schema";

export { ERASURE_TABLES } from "./erasure-rules";

type Sql = postgres.TransactionSql;
type Fragment = postgres.PendingQuery<postgres.Row[]>;

export type ErasureOutcome = {
  /** Rows rewritten or removed. */
  records: number;
  /** Filestore files (`xx/sha1`, as Odoo names them) of the emptied attachments that no kept attachment shares. */
  files: string[];
};

function joined(sql: Sql, parts: Fragment[], separator: "or" | ","): Fragment {
  return parts.reduce((all, part) => (separator === "or" ? sql`${all} or ${part}` : sql`${all}, ${part}`));
}

/** A rule's tests as a SQL condition over the columns the table has; null when none can hold. */
function condition(sql: Sql, schema: OdooSchema, table: string, tests: RowTest[], sets: ErasureSets): Fragment | null {
  const addresses = sets.addressList();
  const parts: Fragment[] = [];
  for (const test of tests) {
    if ("address" in test) {
      if (addresses.length === 0) continue;
      const pattern = addressPattern(addresses);
      for (const column of schema.existing(table, test.address)) parts.push(sql`lower(${sql(column)}::text) ~ ${pattern}`);
    } else {
      const ids = sets.ids(test.in).map(String);
      const [modelColumn, idColumn] = "model" in test ? [test.modelColumn, test.idColumn] : [null, test.column];
      if (ids.length === 0 || !schema.has(table, idColumn, ...(modelColumn ? [modelColumn] : []))) continue;
      const member = sql`${sql(idColumn)} = any(${ids}::int[])`;
      parts.push(modelColumn && "model" in test ? sql`(${sql(modelColumn)} = ${test.model} and ${member})` : member);
    }
  }
  return parts.length ? sql`(${joined(sql, parts, "or")})` : null;
}

/** Reads a finder's candidate rows as text and offers them; with `links`, also the rows pointing at anyone. */
async function find(sql: Sql, schema: OdooSchema, finder: Finder, sets: ErasureSets, links: boolean): Promise<void> {
  if (!schema.has(finder.table)) return;
  const tests = finder.when.flatMap((t) => ("address" in t ? t.address : "model" in t ? [t.modelColumn, t.idColumn] : [t.column]));
  const read = schema.existing(finder.table, [...new Set(["id", ...tests, ...(finder.also ?? []).map((a) => a.column), ...(finder.addresses ?? [])])]);
  const pointing = links ? schema.existing(finder.table, linkColumns(finder)).map((c) => sql`${sql(c)} is not null`) : [];
  const matching = condition(sql, schema, finder.table, finder.when, sets);
  const where = [...(matching ? [matching] : []), ...pointing];
  if (where.length === 0) return;
  const columns = joined(sql, read.map((c) => sql`${sql(c)}::text as ${sql(c)}`), ",");
  const rows = await sql<Record<string, string | null>[]>`select ${columns} from ${sql(finder.table)} where ${joined(sql, where, "or")}`;
  for (const row of rows) sets.offer(finder, (column) => (column in row ? row[column] : undefined), links);
}

function assignment(sql: Sql, column: string, value: Replacement): Fragment {
  if (value === null) return sql`${sql(column)} = null`;
  if (value === false) return sql`${sql(column)} = false`;
  const at = value.indexOf("{id}");
  return at < 0 ? sql`${sql(column)} = ${value}` : sql`${sql(column)} = ${value.slice(0, at)} || id::text || ${value.slice(at + "{id}".length)}`;
}

async function rewrite(sql: Sql, schema: OdooSchema, rule: Rewrite, sets: ErasureSets, files: Set<string>): Promise<number> {
  const where = condition(sql, schema, rule.table, rule.when, sets);
  if (!where) return 0;
  if (rule.remove) return (await sql`delete from ${sql(rule.table)} where ${where}`).count;
  const replaced = Object.entries(rule.replace ?? {}).filter(([column]) => schema.has(rule.table, column));
  if (replaced.length === 0) return 0;
  if (rule.file && schema.has(rule.table, rule.file)) {
    const named = await sql<{ file: string }[]>`select distinct ${sql(rule.file)} as file from ${sql(rule.table)} where ${where} and ${sql(rule.file)} is not null`;
    for (const { file } of named) files.add(file);
  }
  const set = joined(sql, replaced.map(([column, value]) => assignment(sql, column, value)), ",");
  return (await sql`update ${sql(rule.table)} set ${set} where ${where}`).count;
}

/**
 * Anonymises again, in a restored copy, the people erased from the project since the backup was taken (by
 * email or record reference): finds their records (erasure-rules.ts), then rewrites or removes the rows that
 * hold their data. Returns how many rows changed and which filestore files only they used.
 */
export async function eraseSubjects(sql: Sql, schema: OdooSchema, subjects: string[]): Promise<ErasureOutcome> {
  const parsed = parseSubjects(subjects);
  if (parsed.addresses.length === 0 && Object.keys(parsed.records).length === 0) return { records: 0, files: [] };
  const sets = new ErasureSets(parsed);
  for (let round = 1, before = -1; sets.progress() !== before; round++) {
    if (round > MAX_FINDING_ROUNDS) throw tooManyRounds();
    before = sets.progress();
    for (const finder of PEOPLE_FINDERS) await find(sql, schema, finder, sets, true);
    sets.settle();
  }
  for (const finder of MESSAGE_FINDERS) await find(sql, schema, finder, sets, false);

  let records = 0;
  const files = new Set<string>();
  for (const rule of REWRITES) records += await rewrite(sql, schema, rule, sets, files);
  const fileRule = REWRITES.find((r) => r.file)!;
  if (files.size > 0) {
    const shared = await sql<{ file: string }[]>`select distinct ${sql(fileRule.file!)} as file from ${sql(fileRule.table)} where ${sql(fileRule.file!)} = any(${[...files]})`;
    for (const { file } of shared) files.delete(file);
  }
  return { records, files: [...files].sort() };
}
