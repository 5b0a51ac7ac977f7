import type postgres from "postgres";
import { setConfigParameter, type OdooSchema } from "./schema";

type Step = (sql: postgres.TransactionSql, schema: OdooSchema) => Promise<string | null>;

/** The server Odoo's neutralization adds, so mail never falls back to a server given on Odoo's command line. */
const DUMMY_MAIL_SERVER = "neutralization - disable emails";

function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}

const mailServers: Step = async (sql, schema) => {
  if (!schema.has("ir_mail_server", "name", "smtp_host", "smtp_port", "smtp_encryption", "active")) return null;
  const off = await sql`update ir_mail_server set active = false where active and not (name = ${DUMMY_MAIL_SERVER} and smtp_host = 'invalid')`;
  const dummy = await sql`update ir_mail_server set active = true where name = ${DUMMY_MAIL_SERVER} and smtp_host = 'invalid'`;
  if (dummy.count === 0) {
    const values: Record<string, string | number | boolean> = { name: DUMMY_MAIL_SERVER, smtp_host: "invalid", smtp_port: 1025, smtp_encryption: "none", active: true };
    if (schema.has("ir_mail_server", "smtp_authentication")) values.smtp_authentication = "login";
    await sql`insert into ir_mail_server ${sql(values)}`;
  }
  return `${count(off.count, "outgoing mail server")} deactivated; outgoing mail goes to a dummy server`;
};

const fetchmailServers: Step = async (sql, schema) => {
  if (!schema.has("fetchmail_server", "active")) return null;
  const off = await sql`update fetchmail_server set active = false where active`;
  return `${count(off.count, "incoming mail server")} deactivated`;
};

const crons: Step = async (sql, schema) => {
  if (!schema.has("ir_cron", "active")) return null;
  // Odoo keeps its autovacuum job: it only cleans up the database itself.
  const off = schema.has("ir_model_data", "module", "name", "model", "res_id")
    ? await sql`update ir_cron set active = false where active and id not in (
        select res_id from ir_model_data where model = 'ir.cron' and module = 'base' and name = 'autovacuum_job' and res_id is not null)`
    : await sql`update ir_cron set active = false where active`;
  return `${count(off.count, "scheduled action")} deactivated (the autovacuum job kept)`;
};

const paymentProviders: Step = async (sql, schema) => {
  // payment_provider since Odoo 16, payment_acquirer before.
  const table = ["payment_provider", "payment_acquirer"].find((t) => schema.has(t, "state"));
  if (!table) return null;
  const off = await sql`update ${sql(table)} set state = 'disabled' where state not in ('test', 'disabled')`;
  return `${count(off.count, "live payment provider")} disabled`;
};

const deliveryCarriers: Step = async (sql, schema) => {
  if (!schema.has("delivery_carrier", "prod_environment")) return null;
  const test = await sql`update delivery_carrier set prod_environment = false where prod_environment`;
  const off = schema.has("delivery_carrier", "delivery_type", "active")
    ? await sql`update delivery_carrier set active = false where active and delivery_type not in ('fixed', 'base_on_rule')`
    : { count: 0 };
  return `${count(test.count, "shipping carrier")} switched to test mode, ${count(off.count, "external carrier")} deactivated`;
};

const mailTemplates: Step = async (sql, schema) => {
  if (!schema.has("mail_template", "mail_server_id")) return null;
  const changed = await sql`update mail_template set mail_server_id = null where mail_server_id is not null`;
  return `${count(changed.count, "email template")} no longer tied to a mail server`;
};

const webhooks: Step = async (sql, schema) => {
  // Odoo 17+; its own neutralization writes this (invalid) URL, so nothing is ever posted anywhere.
  if (!schema.has("ir_act_server", "state", "webhook_url")) return null;
  const changed = await sql`update ir_act_server set webhook_url = 'neutralization - disable webhook' where state = 'webhook'`;
  return `${count(changed.count, "webhook action")} disabled`;
};

const flag: Step = async (sql, schema) => {
  if (!schema.has("ir_config_parameter", "key", "value")) return null;
  await setConfigParameter(sql, "database.is_neutralized", "true");
  return "database marked as neutralized";
};

const banner: Step = async (sql, schema) => {
  if (!schema.has("ir_ui_view", "key", "active")) return null;
  const shown = await sql`update ir_ui_view set active = true where key = 'web.neutralize_banner'`;
  return shown.count > 0 ? "neutralization banner shown" : null;
};

const STEPS = [mailServers, fetchmailServers, crons, paymentProviders, deliveryCarriers, mailTemplates, webhooks, flag, banner];

export const NEUTRALIZE_TABLES = [
  "ir_mail_server",
  "fetchmail_server",
  "ir_cron",
  "ir_model_data",
  "payment_provider",
  "payment_acquirer",
  "delivery_carrier",
  "mail_template",
  "ir_act_server",
  "ir_config_parameter",
  "ir_ui_view",
];

/**
 * What Odoo's own neutralize.sql files (16 and 17) do, each step only where its table exists: no mail in or
 * out, no scheduled jobs, no live payments or shipping, no webhooks. One line per step applied.
 */
export async function neutralize(sql: postgres.TransactionSql, schema: OdooSchema): Promise<string[]> {
  const applied: string[] = [];
  for (const step of STEPS) {
    const line = await step(sql, schema);
    if (line) applied.push(line);
  }
  return applied;
}
