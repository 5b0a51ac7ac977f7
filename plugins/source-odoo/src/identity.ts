import { randomUUID } from "node:crypto";
import type postgres from "postgres";
import { setConfigParameter, type OdooSchema } from "./schema";

/** Odoo's datetime format, in UTC: "2024-05-01 12:00:00". */
function odooDatetime(date: Date): string {
  return date.toISOString().slice(0, 19).replace("T", " ");
}

/**
 * A copy beside its original gets its own identity, as Odoo gives a duplicated database: new
 * database.uuid (what Odoo's services and the enterprise licence know it by) and database.secret (which
 * signs its sessions and tokens), and a new creation date.
 */
export async function regenerateIdentity(sql: postgres.TransactionSql, schema: OdooSchema): Promise<boolean> {
  if (!schema.has("ir_config_parameter", "key", "value")) return false;
  await setConfigParameter(sql, "database.uuid", randomUUID());
  await setConfigParameter(sql, "database.secret", randomUUID());
  await setConfigParameter(sql, "database.create_date", odooDatetime(new Date()));
  return true;
}
