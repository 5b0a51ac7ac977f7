import type postgres from "postgres";
import type { OdooSchema } from "./schema";

export const ERASURE_TABLES = ["res_partner", "res_users", "mail_message"];

const ERASED_NAME = "Erased contact";
/** Contact details a partner record holds; those present in this database are cleared. */
const PARTNER_DETAILS = ["email", "email_normalized", "phone", "mobile", "street", "street2", "city", "zip", "vat", "website", "comment"];
/** Columns that repeat the partner's name (Odoo stores them for search). */
const PARTNER_NAMES = ["name", "complete_name", "display_name"];

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * A PostgreSQL regular expression matching any of the addresses as a whole address, alone or inside
 * "Name <address>", but not inside a longer one (ann@x.com must not match joann@x.com).
 */
function addressPattern(emails: string[]): string {
  return `(^|[^a-z0-9._%+-])(${emails.map(escapeRegex).join("|")})($|[^a-z0-9.-])`;
}

/**
 * Anonymises again, in a restored copy, the people erased from the project since the backup was taken:
 * their users (login replaced, deactivated), their contacts (name replaced, contact details cleared) and the
 * sender address of their messages. Returns how many records were found.
 */
export async function eraseSubjects(sql: postgres.TransactionSql, schema: OdooSchema, subjects: string[]): Promise<number> {
  const emails = [...new Set(subjects.map((s) => s.trim().toLowerCase()).filter(Boolean))];
  if (emails.length === 0) return 0;
  const pattern = addressPattern(emails);
  let found = 0;

  const userPartners: number[] = [];
  if (schema.has("res_users", "login", "partner_id")) {
    const deactivate = schema.has("res_users", "active") ? sql`, active = false` : sql``;
    const users = await sql<{ partner_id: number }[]>`
      update res_users set login = 'erased-' || id || '@invalid' ${deactivate}
      where lower(login) = any(${emails}) returning partner_id`;
    found += users.count;
    userPartners.push(...users.map((u) => u.partner_id));
  }

  if (schema.has("res_partner", "name", "email")) {
    const set = {
      ...Object.fromEntries(schema.existing("res_partner", PARTNER_NAMES).map((c) => [c, ERASED_NAME])),
      ...Object.fromEntries(schema.existing("res_partner", PARTNER_DETAILS).map((c) => [c, null])),
    };
    const byNormalized = schema.has("res_partner", "email_normalized") ? sql`or email_normalized = any(${emails})` : sql``;
    const partners = await sql`
      update res_partner set ${sql(set)}
      where lower(email) ~ ${pattern} ${byNormalized} or id = any(${userPartners})`;
    found += partners.count;
  }

  if (schema.has("mail_message", "email_from")) {
    const messages = await sql`update mail_message set email_from = null where lower(email_from) ~ ${pattern}`;
    found += messages.count;
  }
  return found;
}
