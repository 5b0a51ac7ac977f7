import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import postgres from "postgres";
import { pseudoRandom, type OdooFixture } from "./odoo-fixture";

/** A real Odoo 16 database's schema, as pg_dump wrote it (see test/fixtures/odoo16/README.md). */
export const ODOO16_SCHEMA = path.resolve(import.meta.dirname, "../fixtures/odoo16/schema.sql.gz");

/**
 * The tables of that schema in which Odoo keeps a person's data (crm_lead is not among them: crm was never
 * installed there), each holding the fixture's subject.
 */
export const ODOO16_PERSONAL_TABLES = [
  "hr_employee",
  "ir_attachment",
  "mail_mail",
  "mail_mail_res_partner_rel",
  "mail_message",
  "mail_message_res_partner_rel",
  "mail_notification",
  "mail_tracking_value",
  "res_partner",
  "res_users",
  "resource_resource",
];

/** The person to erase: their contact (4), their private address (6, Odoo 16's `address_home_id`), user 3, employee 2. */
export const ODOO16_SUBJECT = {
  email: "jane.erasure@example.org",
  partner: 4,
  rows: {
    res_partner: 2, res_users: 1, hr_employee: 1, resource_resource: 1, mail_message: 6, mail_message_res_partner_rel: 2, mail_mail: 2,
    mail_mail_res_partner_rel: 1, mail_notification: 2, mail_tracking_value: 2, ir_attachment: 4,
  } as Record<string, number>,
  traces: ["Jane Erased", "jane.erasure@example.org", "jane.private@example.net", "+32 4 123 45 67", "+32 470 99 88 77", "Église 12", "Quai de la Batte", "EM123456", "BE0477472701"],
};

/** Odoo 16.0's installed modules (and one not installed), as ir_module_module holds them. */
const MODULES: Array<[name: string, version: string, state: string, summary: string]> = [
  ["base", "16.0.1.3", "installed", "The kernel of Odoo, needed for all installation."],
  ["web", "16.0.1.0", "installed", "Web client"],
  ["bus", "16.0.1.0", "installed", "Instant messaging bus"],
  ["mail", "16.0.1.10", "installed", "Chat, mail gateway and private channels"],
  ["resource", "16.0.1.1", "installed", "Resource Management"],
  ["hr", "16.0.1.1", "installed", "Centralize employee information"],
  ["contacts", "16.0.1.0", "installed", "Centralize your address book"],
  ["payment", "16.0.2.0", "installed", "The payment engine used by payment provider modules."],
  ["account", "16.0.1.2", "installed", "Invoices & Payments"],
  ["sale", "16.0.1.2", "installed", "Sales internal machinery"],
  ["crm", "16.0.1.6", "uninstalled", "Track leads and close opportunities"],
];

const SEED = `
  insert into res_currency (id, name, symbol, active, rounding, decimal_places, position) values (1, 'EUR', '€', true, 0.01, 2, 'after');
  insert into res_partner (id, name, display_name, type, is_company, active, lang, tz, email, email_normalized, city, create_date, write_date)
    values (1, 'YourCompany', 'YourCompany', 'contact', true, true, 'en_US', 'Europe/Brussels', 'info@yourcompany.example', 'info@yourcompany.example', 'Bruxelles', now(), now());
  insert into res_company (id, name, partner_id, currency_id, sequence, layout_background, fiscalyear_last_day, fiscalyear_last_month, account_opening_date,
      security_lead, manufacturing_lead, po_lead, active, email, create_date)
    values (1, 'YourCompany', 1, 1, 10, 'Blank', 31, '12', '2024-01-01', 0, 0, 0, true, 'info@yourcompany.example', now());
  insert into resource_calendar (id, name, tz, company_id, active, hours_per_day) values (1, 'Standard 40 hours/week', 'Europe/Brussels', 1, true, 8);
  update res_company set resource_calendar_id = 1;
  update res_partner set company_id = 1, commercial_partner_id = 1 where id = 1;
  insert into res_partner (id, name, display_name, type, is_company, active, lang, tz, email, email_normalized, phone, mobile, phone_sanitized, street, zip, city, vat,
      website, comment, company_id, partner_share, create_date, write_date) values
    (2, 'OdooBot', 'OdooBot', 'contact', false, false, 'en_US', null, 'odoobot@example.com', 'odoobot@example.com', null, null, null, null, null, null, null, null, null, 1, false, now(), now()),
    (3, 'Mitchell Admin', 'YourCompany, Mitchell Admin', 'contact', false, true, 'en_US', 'Europe/Brussels', 'admin@yourcompany.example', 'admin@yourcompany.example',
      '+32 2 290 34 90', null, '+32229034 90', 'Rue du Midi 1', '1000', 'Bruxelles', null, null, null, 1, false, now(), now()),
    (4, 'Jane Erased', 'Jane Erased', 'contact', false, true, 'fr_FR', 'Europe/Brussels', 'Jane.Erasure@Example.org', 'jane.erasure@example.org', '+32 4 123 45 67',
      '+32 470 12 34 56', '+3241234567', 'Rue de l''Église 12', '4000', 'Liège', 'BE0477472701', 'https://jane.example.org', '<p>Prefers French. Allergic to spam.</p>', null, true, now(), now()),
    (5, 'Jo Ann Keep', 'Jo Ann Keep', 'contact', false, true, 'en_US', null, 'jojane.erasure@example.org', 'jojane.erasure@example.org', '+32 9 876 54 32', null,
      '+3298765432', null, '9000', 'Gent', null, null, null, null, true, now(), now()),
    (6, 'Jane Erased', 'Jane Erased', 'private', false, true, 'fr_FR', null, 'jane.private@example.net', 'jane.private@example.net', '+32 470 99 88 77', null,
      '+32470998877', 'Quai de la Batte 3', '4000', 'Liège', null, null, null, null, true, now(), now());
  update res_partner set commercial_partner_id = id where id between 2 and 6;
  update res_partner set parent_id = 1, commercial_partner_id = 1, commercial_company_name = 'YourCompany' where id = 3;
  select setval('res_partner_id_seq', 6);
  insert into res_partner (name, display_name, type, is_company, active, lang, email, email_normalized, phone, street, city, zip, company_id, partner_share, create_date)
    select n, n, 'contact', i % 10 = 0, true, (array['en_US', 'fr_BE', 'nl_BE', 'de_DE'])[1 + i % 4], e, lower(e), '+32 2 ' || lpad(i::text, 6, '0'), i || ' Avenue Louise',
      (array['Bruxelles', 'Zürich', 'São Paulo', '東京', 'Kraków', 'Reykjavík'])[1 + i % 6], lpad((1000 + i)::text, 4, '0'), null, true, now() - make_interval(days => i)
    from (select i, case when i % 3 = 0 then 'Zoë Ñúñez-Łukasz ' || i when i % 3 = 1 then '株式会社 テスト ' || i else 'Partner ' || i end as n,
                 case when i % 13 = 0 then null else 'partner' || i || '@example.com' end as e
          from generate_series(1, 120) i) p;
  update res_partner set commercial_partner_id = id where id > 6;
  insert into res_users (id, login, password, partner_id, company_id, active, share, notification_type, signature, create_date) values
    (1, '__system__', null, 2, 1, false, false, 'inbox', null, now()),
    (2, 'admin', '$pbkdf2-sha512$600000$fixture', 3, 1, true, false, 'email', '<p>Mitchell Admin</p>', now()),
    (3, 'jane.erasure@example.org', '$pbkdf2-sha512$600000$fixture2', 4, 1, true, true, 'email', '<p>Jane Erased, +32 4 123 45 67</p>', now());
  select setval('res_users_id_seq', 3);
  insert into res_company_users_rel (cid, user_id) values (1, 1), (1, 2), (1, 3);
  insert into ir_config_parameter (key, value, create_uid, create_date) values
    ('database.uuid', '3b5d2a10-8c41-11ed-a1eb-0242ac120002', 1, now()), ('database.secret', 'f1d5c1a0-5a1e-4c9b-9e8e-2c0d6e5b7a43', 1, now()),
    ('database.create_date', '2023-01-02 10:11:12', 1, now()), ('web.base.url', 'https://erp.client.example', 1, now()),
    ('base.login_cooldown_after', '10', 1, now()), ('mail.catchall.domain', 'client.example', 1, now());
  insert into ir_model (id, name, model, "order", state, transient, create_date) values
    (1, '{"en_US": "Contact"}', 'res.partner', 'display_name, id', 'base', false, now()),
    (2, '{"en_US": "Scheduled Actions"}', 'ir.cron', 'cron_name', 'base', false, now()),
    (3, '{"en_US": "Automatic Vacuum"}', 'ir.autovacuum', 'id', 'base', false, now()),
    (4, '{"en_US": "Outgoing Mails"}', 'mail.mail', 'id desc', 'base', false, now());
  select setval('ir_model_id_seq', 4);
  insert into ir_model_fields (id, model_id, name, model, field_description, ttype, state, store, create_date) values
    (1, 1, 'phone', 'res.partner', '{"en_US": "Phone"}', 'char', 'base', true, now()),
    (2, 1, 'email', 'res.partner', '{"en_US": "Email"}', 'char', 'base', true, now()),
    (3, 1, 'city', 'res.partner', '{"en_US": "City"}', 'char', 'base', true, now());
  select setval('ir_model_fields_id_seq', 3);
  insert into ir_act_server (id, name, type, binding_type, model_id, model_name, usage, state, code, create_date) values
    (1, '{"en_US": "Base: Auto-vacuum internal data"}', 'ir.actions.server', 'action', 3, 'ir.autovacuum', 'ir_cron', 'code', 'model._run_vacuum_cleaner()', now()),
    (2, '{"en_US": "Mail: Email Queue Manager"}', 'ir.actions.server', 'action', 4, 'mail.mail', 'ir_cron', 'code', 'model.process_email_queue()', now()),
    (3, '{"en_US": "Partner: nightly sync"}', 'ir.actions.server', 'action', 1, 'res.partner', 'ir_cron', 'code', 'model._sync()', now());
  select setval('ir_actions_id_seq', 3);
  insert into ir_cron (id, ir_actions_server_id, cron_name, user_id, active, interval_number, interval_type, numbercall, doall, nextcall, priority, create_date) values
    (1, 1, '{"en_US": "Base: Auto-vacuum internal data"}', 1, true, 1, 'days', -1, false, '2026-12-08 03:00:00', 5, now()),
    (2, 2, '{"en_US": "Mail: Email Queue Manager"}', 1, true, 1, 'hours', -1, false, '2026-12-07 04:00:00', 5, now()),
    (3, 3, '{"en_US": "Partner: nightly sync"}', 1, false, 1, 'days', -1, false, '2026-12-08 01:00:00', 5, now());
  select setval('ir_cron_id_seq', 3);
  insert into ir_model_data (module, name, model, res_id, noupdate, create_date) values
    ('base', 'main_company', 'res.company', 1, true, now()), ('base', 'main_partner', 'res.partner', 1, true, now()), ('base', 'partner_root', 'res.partner', 2, true, now()),
    ('base', 'partner_admin', 'res.partner', 3, true, now()), ('base', 'user_root', 'res.users', 1, true, now()), ('base', 'user_admin', 'res.users', 2, true, now()),
    ('base', 'EUR', 'res.currency', 1, true, now()), ('base', 'autovacuum_job', 'ir.cron', 1, true, now()),
    ('mail', 'ir_cron_mail_scheduler_action', 'ir.cron', 2, true, now()), ('__export__', 'ir_cron_3_sync', 'ir.cron', 3, false, now());
  insert into ir_mail_server (id, name, smtp_host, smtp_port, smtp_authentication, smtp_user, smtp_pass, smtp_encryption, smtp_debug, sequence, active, from_filter, create_date) values
    (1, 'Client SMTP', 'smtp.client.example', 587, 'login', 'odoo@client.example', 'smtp-secret', 'starttls', false, 10, true, 'client.example', now()),
    (2, 'Old relay', 'relay.client.example', 25, 'login', null, null, 'none', false, 20, false, null, now());
  select setval('ir_mail_server_id_seq', 2);
  insert into fetchmail_server (id, name, server_type, server, port, is_ssl, "user", password, active, state, priority, create_date) values
    (1, 'Catchall', 'imap', 'imap.client.example', 993, true, 'catchall@client.example', 'imap-secret', true, 'done', 5, now());
  select setval('fetchmail_server_id_seq', 1);
  insert into payment_provider (id, name, code, state, company_id, is_published, create_date) values
    (1, '{"en_US": "Wire Transfer"}', 'custom', 'enabled', 1, true, now()), (2, '{"en_US": "Stripe"}', 'stripe', 'test', 1, false, now());
  select setval('payment_provider_id_seq', 2);
  insert into resource_resource (id, name, resource_type, tz, time_efficiency, calendar_id, company_id, user_id, active, create_date) values
    (1, 'Mitchell Admin', 'user', 'Europe/Brussels', 100, 1, 1, 2, true, now()), (2, 'Jane Erased', 'user', 'Europe/Brussels', 100, 1, 1, 3, true, now());
  select setval('resource_resource_id_seq', 2);
  insert into hr_employee (id, name, resource_id, resource_calendar_id, company_id, user_id, work_contact_id, address_home_id, address_id, active, employee_type,
      job_title, work_email, work_phone, mobile_phone, gender, marital, emergency_contact, emergency_phone, identification_id, passport_id, ssnid, birthday,
      place_of_birth, spouse_complete_name, study_school, barcode, create_date) values
    (1, 'Mitchell Admin', 1, 1, 1, 2, 3, null, 1, true, 'employee', 'Chief Executive Officer', 'admin@yourcompany.example', '+32 2 290 34 90', null, 'male', 'single',
      null, null, null, null, null, null, null, null, null, '0001', now()),
    (2, 'Jane Erased', 2, 1, 1, 3, 4, 6, 1, true, 'employee', 'Accountant', 'jane.erasure@example.org', '+32 4 123 45 67', '+32 470 12 34 56', 'female', 'married',
      'Paul Erased', '+32 470 55 44 33', '850101-123-45', 'EM123456', '85.01.01-123.45', '1985-01-01', 'Namur', 'Paul Erased', 'ULiège', '0002', now());
  select setval('hr_employee_id_seq', 2);
  insert into mail_message (id, subject, date, body, model, res_id, record_name, message_type, email_from, author_id, reply_to, message_id, is_internal, create_uid, create_date) values
    (1, null, now(), '<p>Hello, I am OdooBot.</p>', 'res.partner', 3, 'Mitchell Admin', 'comment', '"OdooBot" <odoobot@example.com>', 2, null, '<bot-1@client.example>', false, 1, now()),
    (101, null, now(), '<p>Called Jane Erased on +32 4 123 45 67</p>', 'res.partner', 4, 'Jane Erased', 'comment', '"Mitchell Admin" <admin@yourcompany.example>', 3,
      null, '<partner-4-1@client.example>', false, 2, now()),
    (102, null, now(), '', 'res.partner', 4, 'Jane Erased', 'notification', '"Mitchell Admin" <admin@yourcompany.example>', 3, null, '<partner-4-2@client.example>', true, 2, now()),
    (103, 'Sick note', now(), '<p>Jane Erased, see the attached certificate</p>', 'hr.employee', 2, 'Jane Erased', 'email', 'jane.private@example.net', null,
      'jane.private@example.net', '<sick@example.net>', false, 1, now()),
    (104, null, now(), '', 'res.partner', 5, 'Jo Ann Keep', 'notification', '"Mitchell Admin" <admin@yourcompany.example>', 3, null, '<partner-5@client.example>', true, 2, now()),
    (105, 'Order 7', now(), '<p>Where is my order?</p>', 'sale.order', 7, 'S00007', 'email', 'Someone <someone@example.com>', null,
      '"Jane Erased" <jane.erasure@example.org>', '<order-7@example.com>', false, 1, now()),
    (106, 'Our newsletter', now(), '<p>Our newsletter</p>', 'res.partner', 1, 'YourCompany', 'comment', '"YourCompany" <info@yourcompany.example>', 1, null,
      '<newsletter-1@client.example>', false, 2, now()),
    (107, null, now(), '<p>Thanks for the quick answer!</p>', 'res.partner', 1, 'YourCompany', 'comment', '"Jane Erased" <jane.erasure@example.org>', 4, null,
      '<reply-1@example.org>', false, 3, now());
  select setval('mail_message_id_seq', 107);
  insert into mail_message_res_partner_rel (mail_message_id, res_partner_id) values (101, 4), (104, 5), (106, 4), (106, 5);
  insert into mail_mail (id, mail_message_id, body_html, "references", headers, email_to, email_cc, state, is_notification, auto_delete, create_date) values
    (1, 101, '<p>Dear Jane Erased, as discussed on +32 4 123 45 67</p>', '<partner-4-1@client.example>', '{"X-Odoo-Objects": "res.partner-4"}', 'jane.erasure@example.org',
      null, 'sent', true, false, now()),
    (2, 104, '<p>Dear Jo Ann</p>', null, null, 'jojane.erasure@example.org', null, 'sent', true, false, now()),
    (3, 106, '<p>Our newsletter</p>', null, null, null, null, 'outgoing', false, true, now());
  select setval('mail_mail_id_seq', 3);
  insert into mail_mail_res_partner_rel (mail_mail_id, res_partner_id) values (3, 4), (3, 5);
  insert into mail_notification (mail_message_id, res_partner_id, mail_mail_id, author_id, notification_type, notification_status, is_read) values
    (101, 4, 1, 3, 'email', 'sent', true), (106, 4, 3, 1, 'email', 'ready', false), (104, 5, 2, 3, 'email', 'sent', true), (106, 5, 3, 1, 'email', 'ready', false);
  insert into mail_tracking_value (field, field_desc, field_type, old_value_char, new_value_char, mail_message_id, tracking_sequence, create_date) values
    (1, 'Phone', 'char', '+32 4 000 00 00', '+32 4 123 45 67', 102, 100, now()), (3, 'City', 'char', 'Namur', 'Liège', 102, 100, now()),
    (1, 'Phone', 'char', '+32 9 000 00 00', '+32 9 876 54 32', 104, 100, now());
`;

type Attachment = { name: string; mimetype: string; resModel: string; resId: number; content: Buffer; index?: string; resField?: string; subjects?: true };

const ATTACHMENTS: Attachment[] = [
  ...Array.from({ length: 12 }, (_, i) => ({ name: `note-${i + 1}.txt`, mimetype: "text/plain", resModel: "res.partner", resId: 5, content: Buffer.from(`Note ${i + 1}: ünïcödé ✓ ${"lorem ipsum ".repeat(i * 30)}\n`) })),
  { name: "Factuur — 2023-001.pdf", mimetype: "application/pdf", resModel: "res.partner", resId: 1, content: pseudoRandom("invoice", 256 * 1024) },
  // Odoo stores a content once: the company's logo and the person's share one file, which stays.
  { name: "logo.png", mimetype: "image/png", resModel: "res.partner", resId: 1, content: pseudoRandom("logo", 4096) },
  {
    name: "Jane Erased - ID card.pdf", mimetype: "application/pdf", resModel: "res.partner", resId: 4, content: Buffer.from("ID card of Jane Erased, +32 4 123 45 67\n"),
    index: "Jane Erased +32 4 123 45 67", subjects: true,
  },
  { name: "CV Jane Erased.pdf", mimetype: "application/pdf", resModel: "hr.employee", resId: 2, content: Buffer.from("Curriculum vitae: Jane Erased, jane.private@example.net\n"), subjects: true },
  // Odoo 16 keeps a record's image fields as attachments named after the field: the person's photo.
  { name: "image_1920", mimetype: "image/jpeg", resModel: "hr.employee", resId: 2, resField: "image_1920", content: pseudoRandom("photo of the subject", 9000), subjects: true },
  { name: "jane-logo.png", mimetype: "image/png", resModel: "res.partner", resId: 4, content: pseudoRandom("logo", 4096) },
];

/** Loads the real schema as the url's role (the dump's `OWNER TO openpg` lines left out: the tables belong to that role, as Odoo's belong to its user). */
function loadSchema(url: string): void {
  const script = `gzip -dc "$1" | grep -v ' OWNER TO openpg;$' | psql -X -q -v ON_ERROR_STOP=1 --dbname="$2"`;
  execFileSync("bash", ["-o", "pipefail", "-c", script, "bash", ODOO16_SCHEMA, url], { stdio: ["ignore", "ignore", "pipe"] });
}

/**
 * Fills the (empty) database at `url` with the real Odoo 16 schema and realistic rows that respect its NOT NULL and
 * foreign-key constraints, and writes the filestore at `<dataDir>/filestore/<database>/<xx>/<sha1>` as Odoo does.
 */
export async function createOdoo16Fixture(url: string, dataDir: string): Promise<OdooFixture> {
  const database = decodeURIComponent(new URL(url).pathname.slice(1));
  const filestore = path.join(dataDir, "filestore", database);
  loadSchema(url);
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const erasedFiles: string[] = [];
  try {
    await sql.begin(async (tx) => {
      await tx.unsafe(SEED);
      const modules = MODULES.map(([name, version, state, summary]) => ({
        name, latest_version: version, state, author: "Odoo S.A.", license: "LGPL-3", website: "https://www.odoo.com", maintainer: null,
        shortdesc: tx.json({ en_US: name }), summary: tx.json({ en_US: summary }), application: ["mail", "hr", "contacts", "sale", "account", "crm"].includes(name),
        auto_install: ["web", "bus"].includes(name), demo: false, web: ["web", "mail", "hr"].includes(name), sequence: 100, to_buy: false,
        published_version: state === "installed" ? version : null, create_date: new Date(), write_date: new Date(),
      }));
      await tx`insert into ir_module_module ${tx(modules)}`;
      for (const attachment of ATTACHMENTS) {
        const sha1 = createHash("sha1").update(attachment.content).digest("hex");
        const storeFname = `${sha1.slice(0, 2)}/${sha1}`;
        fs.mkdirSync(path.join(filestore, sha1.slice(0, 2)), { recursive: true });
        fs.writeFileSync(path.join(filestore, storeFname), attachment.content);
        await tx`
          insert into ir_attachment (name, res_model, res_field, res_id, company_id, type, public, store_fname, file_size, checksum, mimetype, index_content, create_uid, create_date)
          values (${attachment.name}, ${attachment.resModel}, ${attachment.resField ?? null}, ${attachment.resId}, 1, 'binary', false, ${storeFname}, ${attachment.content.length},
            ${sha1}, ${attachment.mimetype}, ${attachment.index ?? null}, 2, now())`;
        if (attachment.subjects) erasedFiles.push(storeFname);
      }
    });
  } finally {
    await sql.end();
  }
  const records = Object.values(ODOO16_SUBJECT.rows).reduce((a, b) => a + b, 0);
  return { database, filestore, version: "16.0", subject: { ...ODOO16_SUBJECT, records, erasedFiles: erasedFiles.sort() } };
}
