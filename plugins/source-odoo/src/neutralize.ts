import type postgres from "postgres";
import type { OdooSchema } from "./schema";

/**
 * Odoo's neutralization, defined once as SQL: a restore's `prepare` runs these statements on the fresh copy (and
 * reports what they changed), an export appends them to `dump.sql` as guarded DO blocks (see neutralizeScript).
 * Each step applies only where its tables and columns exist: modules and Odoo versions differ.
 */
type Variant = {
  /** The tables and columns the statements need (in schema `public`). */
  requires: Record<string, string[]>;
  statements: string[];
};

type Step = {
  /** The first variant whose requirements hold is applied. */
  variants: Variant[];
  /** The report line from each statement's row count; null for nothing worth saying. */
  report: (counts: number[]) => string | null;
};

/** The server Odoo's neutralization adds, so mail never falls back to a server given on Odoo's command line. */
const DUMMY_MAIL_SERVER = "neutralization - disable emails";

function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}

function dummyMailServer(columns: string, values: string): string {
  return `insert into ir_mail_server (${columns}) select ${values}
    where not exists (select 1 from ir_mail_server where name = '${DUMMY_MAIL_SERVER}' and smtp_host = 'invalid')`;
}

const MAIL_SERVER_OFF = `update ir_mail_server set active = false where active and not (name = '${DUMMY_MAIL_SERVER}' and smtp_host = 'invalid')`;
const MAIL_SERVER_DUMMY_ON = `update ir_mail_server set active = true where name = '${DUMMY_MAIL_SERVER}' and smtp_host = 'invalid' and not active`;
const MAIL_SERVER_COLUMNS = ["name", "smtp_host", "smtp_port", "smtp_encryption", "active"];

/** An ir_config_parameter set as Odoo's set_param does: updated, or inserted when the key is new. */
function setParameter(key: string, value: string): string[] {
  return [
    `update ir_config_parameter set value = '${value}' where key = '${key}'`,
    `insert into ir_config_parameter (key, value) select '${key}', '${value}' where not exists (select 1 from ir_config_parameter where key = '${key}')`,
  ];
}

const STEPS: Step[] = [
  {
    variants: [
      {
        requires: { ir_mail_server: [...MAIL_SERVER_COLUMNS, "smtp_authentication"] },
        statements: [MAIL_SERVER_OFF, MAIL_SERVER_DUMMY_ON, dummyMailServer(`${MAIL_SERVER_COLUMNS.join(", ")}, smtp_authentication`, `'${DUMMY_MAIL_SERVER}', 'invalid', 1025, 'none', true, 'login'`)],
      },
      {
        requires: { ir_mail_server: MAIL_SERVER_COLUMNS },
        statements: [MAIL_SERVER_OFF, MAIL_SERVER_DUMMY_ON, dummyMailServer(MAIL_SERVER_COLUMNS.join(", "), `'${DUMMY_MAIL_SERVER}', 'invalid', 1025, 'none', true`)],
      },
    ],
    report: ([off = 0]) => `${count(off, "outgoing mail server")} deactivated; outgoing mail goes to a dummy server`,
  },
  {
    variants: [{ requires: { fetchmail_server: ["active"] }, statements: ["update fetchmail_server set active = false where active"] }],
    report: ([off = 0]) => `${count(off, "incoming mail server")} deactivated`,
  },
  {
    // Odoo keeps its autovacuum job: it only cleans up the database itself.
    variants: [
      {
        requires: { ir_cron: ["active"], ir_model_data: ["module", "name", "model", "res_id"] },
        statements: [
          `update ir_cron set active = false where active and id not in (
            select res_id from ir_model_data where model = 'ir.cron' and module = 'base' and name = 'autovacuum_job' and res_id is not null)`,
        ],
      },
      { requires: { ir_cron: ["active"] }, statements: ["update ir_cron set active = false where active"] },
    ],
    report: ([off = 0]) => `${count(off, "scheduled action")} deactivated (the autovacuum job kept)`,
  },
  {
    // payment_provider since Odoo 16, payment_acquirer before.
    variants: ["payment_provider", "payment_acquirer"].map((table) => ({
      requires: { [table]: ["state"] },
      statements: [`update ${table} set state = 'disabled' where state not in ('test', 'disabled')`],
    })),
    report: ([off = 0]) => `${count(off, "live payment provider")} disabled`,
  },
  {
    variants: [
      {
        requires: { delivery_carrier: ["prod_environment", "delivery_type", "active"] },
        statements: [
          "update delivery_carrier set prod_environment = false where prod_environment",
          "update delivery_carrier set active = false where active and delivery_type not in ('fixed', 'base_on_rule')",
        ],
      },
      { requires: { delivery_carrier: ["prod_environment"] }, statements: ["update delivery_carrier set prod_environment = false where prod_environment"] },
    ],
    report: ([test = 0, off = 0]) => `${count(test, "shipping carrier")} switched to test mode, ${count(off, "external carrier")} deactivated`,
  },
  {
    variants: [{ requires: { mail_template: ["mail_server_id"] }, statements: ["update mail_template set mail_server_id = null where mail_server_id is not null"] }],
    report: ([changed = 0]) => `${count(changed, "email template")} no longer tied to a mail server`,
  },
  {
    // Odoo 17+; its own neutralization writes this (invalid) URL, so nothing is ever posted anywhere.
    variants: [
      {
        requires: { ir_act_server: ["state", "webhook_url"] },
        statements: ["update ir_act_server set webhook_url = 'neutralization - disable webhook' where state = 'webhook'"],
      },
    ],
    report: ([changed = 0]) => `${count(changed, "webhook action")} disabled`,
  },
  {
    variants: [{ requires: { ir_config_parameter: ["key", "value"] }, statements: setParameter("database.is_neutralized", "true") }],
    report: () => "database marked as neutralized",
  },
  {
    variants: [{ requires: { ir_ui_view: ["key", "active"] }, statements: ["update ir_ui_view set active = true where key = 'web.neutralize_banner'"] }],
    report: ([shown = 0]) => (shown > 0 ? "neutralization banner shown" : null),
  },
];

export const NEUTRALIZE_TABLES = [...new Set(STEPS.flatMap((s) => s.variants.flatMap((v) => Object.keys(v.requires))))];

/**
 * What Odoo's own neutralize.sql files (16 and 17) do, each step only where its table exists: no mail in or
 * out, no scheduled jobs, no live payments or shipping, no webhooks. One line per step applied.
 */
export async function neutralize(sql: postgres.TransactionSql, schema: OdooSchema): Promise<string[]> {
  const applied: string[] = [];
  for (const step of STEPS) {
    const variant = step.variants.find((v) => Object.entries(v.requires).every(([table, columns]) => schema.has(table, ...columns)));
    if (!variant) continue;
    const counts: number[] = [];
    for (const statement of variant.statements) counts.push((await sql.unsafe(statement)).count);
    const line = step.report(counts);
    if (line) applied.push(line);
  }
  return applied;
}

/** SQL that is true when `public.<table>` has all of `columns`. */
function guard(requires: Record<string, string[]>): string {
  return Object.entries(requires)
    .map(
      ([table, columns]) =>
        `(select count(*) from information_schema.columns where table_schema = 'public' and table_name = '${table}' and column_name in (${columns.map((c) => `'${c}'`).join(", ")})) = ${columns.length}`,
    )
    .join(" and ");
}

/**
 * The same steps as a psql script appended to a plain dump: one DO block per step, its variants as IF/ELSIF on the
 * catalog, so it runs wherever the dump loads (PL/pgSQL resolves a statement's tables only when it runs it). The
 * dump cleared search_path; the script sets it back to Odoo's schema first.
 */
export function neutralizeScript(): string {
  const blocks = STEPS.map((step) => {
    const branches = step.variants.map((v, i) => `  ${i === 0 ? "if" : "elsif"} ${guard(v.requires)} then\n${v.statements.map((s) => `    ${s};`).join("\n")}\n`);
    return `do $neutralize$\nbegin\n${branches.join("")}  end if;\nend\n$neutralize$;\n`;
  });
  return `\n-- Neutralized by Safehold as Odoo's own neutralization does: no mail in or out, no scheduled actions, no live payments, shipping or webhooks.\nselect pg_catalog.set_config('search_path', 'public', false);\n${blocks.join("")}`;
}
