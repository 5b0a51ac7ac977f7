import type postgres from "postgres";

/** Which of the tables and columns a restore touches exist in this database: modules and Odoo versions differ. */
export class OdooSchema {
  private constructor(private readonly columns: Map<string, Set<string>>) {}

  static async read(sql: postgres.TransactionSql, tables: string[]): Promise<OdooSchema> {
    const rows = await sql<{ table: string; column: string }[]>`
      select table_name as "table", column_name as "column" from information_schema.columns
      where table_schema = 'public' and table_name = any(${tables})`;
    const columns = new Map<string, Set<string>>();
    for (const { table, column } of rows) {
      if (!columns.has(table)) columns.set(table, new Set());
      columns.get(table)!.add(column);
    }
    return new OdooSchema(columns);
  }

  has(table: string, ...columns: string[]): boolean {
    const present = this.columns.get(table);
    return !!present && columns.every((c) => present.has(c));
  }

  /** Those of `columns` that `table` has. */
  existing(table: string, columns: string[]): string[] {
    return columns.filter((c) => this.has(table, c));
  }
}

/**
 * Sets an ir_config_parameter, as Odoo's set_param does: an update, or an insert when the key is new (an
 * upsert would draw a sequence number even for an update, and the copy would differ from its backup more than needed).
 */
export async function setConfigParameter(sql: postgres.TransactionSql, key: string, value: string): Promise<void> {
  const updated = await sql`update ir_config_parameter set value = ${value} where key = ${key}`;
  if (updated.count === 0) await sql`insert into ir_config_parameter (key, value) values (${key}, ${value})`;
}
