import type postgres from "postgres";

/**
 * The rows of every ordinary table of a database, named as pg_dump's COPY statements name them
 * (`schema.table`, each part quoted only when it must be), counted in one statement.
 */
export async function countRows(sql: postgres.Sql | postgres.TransactionSql): Promise<Record<string, number>> {
  const rows = await sql<{ name: string; rows: string }[]>`
    select quote_ident(n.nspname) || '.' || quote_ident(c.relname) as name,
      (xpath('/row/c/text()', query_to_xml(format('select count(*) as c from %I.%I', n.nspname, c.relname), false, true, '')))[1]::text as rows
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind = 'r' and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\\_toast%' and n.nspname not like 'pg\\_temp%'`;
  return Object.fromEntries(rows.map((r) => [r.name, Number(r.rows)]));
}
