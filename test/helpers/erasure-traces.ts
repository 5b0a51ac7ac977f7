import postgres from "postgres";

const escape = (text: string) => text.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** A person's traces as whole words: jojane.erasure@example.org is someone else than jane.erasure@example.org. */
export function tracePattern(traces: string[]): RegExp {
  return new RegExp(`(^|[^a-z0-9._%+-])(${traces.map(escape).join("|")})`);
}

export async function withSql<T>(url: string, run: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    return await run(sql);
  } finally {
    await sql.end();
  }
}

export async function tableNames(url: string): Promise<string[]> {
  return withSql(url, async (sql) => (await sql<{ name: string }[]>`select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`).map((r) => r.name));
}

/** Every row of every table that still holds one of the traces, as "table: row". */
export async function traceHits(url: string, pattern: RegExp): Promise<string[]> {
  const tables = await tableNames(url);
  return withSql(url, async (sql) => {
    const hits: string[] = [];
    for (const table of tables) {
      const rows = await sql<{ row: string }[]>`select t::text as row from ${sql(table)} t where lower(t::text) ~ ${pattern.source}`;
      hits.push(...rows.map((r) => `${table}: ${r.row.slice(0, 200)}`));
    }
    return hits;
  });
}

/** Per table, the rows of `before` that `after` no longer holds as they were (rows compared whole). */
export async function changedRows(before: string, after: string): Promise<Record<string, number>> {
  const tables = await tableNames(before);
  return withSql(before, (left) =>
    withSql(after, async (right) => {
      const hashes = async (sql: postgres.Sql, table: string) => (await sql<{ h: string }[]>`select md5(t::text) as h from ${sql(table)} t`).map((r) => r.h);
      const changed: Record<string, number> = {};
      for (const table of tables) {
        const kept = new Map<string, number>();
        for (const h of await hashes(right, table)) kept.set(h, (kept.get(h) ?? 0) + 1);
        let n = 0;
        for (const h of await hashes(left, table)) {
          if (kept.get(h)) kept.set(h, kept.get(h)! - 1);
          else n++;
        }
        if (n) changed[table] = n;
      }
      return changed;
    }),
  );
}
