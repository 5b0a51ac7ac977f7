import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import postgres from "postgres";

export type OdooFixtureOptions = {
  /** Generated contacts, besides the named ones (default 300). */
  partners?: number;
  /** Size of the one large attachment (default 3 MB). */
  largeFileBytes?: number;
};

export type OdooFixture = {
  database: string;
  filestore: string;
  /** The Odoo series the base module reports. */
  version: string;
  /**
   * A person to erase, present in every table that holds personal data (contact, user, employee and resource,
   * leads, messages received and written, outgoing mail, recipients, notifications, tracking values, attachments):
   * `rows` per table (and `records` in all) an erasure of `email` (or of `partner`, the contact's id) rewrites or removes; `traces` are texts
   * of theirs no table may hold afterwards; `erasedFiles` the filestore files only they used.
   */
  subject: { email: string; partner: number; rows: Record<string, number>; records: number; traces: string[]; erasedFiles: string[] };
};

/** Odoo 17's tables, with their real names and the columns Safehold reads or changes (a realistic subset). */
const SCHEMA = `
  create table ir_module_module (
    id serial primary key, name varchar not null, state varchar(16), latest_version varchar, shortdesc jsonb, author varchar,
    application boolean default false, auto_install boolean default false, license varchar, create_date timestamp, write_date timestamp,
    constraint ir_module_module_name_uniq unique (name));
  create table ir_model_data (
    id serial primary key, res_id integer, noupdate boolean default false, name varchar not null, module varchar not null, model varchar not null,
    create_date timestamp, write_date timestamp);
  create index ir_model_data_module_name_uniq_index on ir_model_data (module, name);
  create table ir_config_parameter (
    id serial primary key, key varchar not null, value text not null, create_uid integer, create_date timestamp, write_uid integer, write_date timestamp,
    constraint ir_config_parameter_key_uniq unique (key));
  create table res_partner (
    id serial primary key, name varchar, complete_name varchar, parent_id integer references res_partner (id), company_id integer, ref varchar,
    lang varchar, tz varchar, vat varchar, website varchar, comment text, type varchar, street varchar, street2 varchar, zip varchar, city varchar,
    email varchar, email_normalized varchar, phone varchar, mobile varchar, is_company boolean, active boolean default true,
    create_date timestamp, write_date timestamp);
  create index res_partner_email_idx on res_partner (email);
  create table res_users (
    id serial primary key, login varchar not null, password varchar, partner_id integer not null references res_partner (id), active boolean default true,
    company_id integer, share boolean, signature text, create_date timestamp, write_date timestamp,
    constraint res_users_login_key unique (login));
  create table ir_act_server (
    id serial primary key, name jsonb not null, type varchar not null default 'ir.actions.server', model_name varchar, state varchar not null,
    code text, webhook_url varchar, usage varchar, create_date timestamp);
  create table ir_cron (
    id serial primary key, ir_actions_server_id integer not null references ir_act_server (id) on delete restrict, cron_name varchar,
    user_id integer not null references res_users (id), active boolean, interval_number integer, interval_type varchar, numbercall integer,
    doall boolean, nextcall timestamp not null, lastcall timestamp, priority integer);
  create table ir_mail_server (
    id serial primary key, name varchar not null, from_filter varchar, smtp_host varchar, smtp_port integer, smtp_authentication varchar not null,
    smtp_user varchar, smtp_pass varchar, smtp_encryption varchar not null, smtp_ssl_certificate bytea, smtp_debug boolean, sequence integer,
    active boolean, create_date timestamp, write_date timestamp);
  create table fetchmail_server (
    id serial primary key, name varchar not null, active boolean, state varchar, server varchar, port integer, server_type varchar not null,
    is_ssl boolean, "user" varchar, password varchar, priority integer, create_date timestamp);
  create table payment_provider (
    id serial primary key, name jsonb not null, code varchar not null, state varchar not null, company_id integer, is_published boolean,
    create_date timestamp);
  create table delivery_carrier (
    id serial primary key, name jsonb not null, active boolean, sequence integer, delivery_type varchar not null, integration_level varchar,
    prod_environment boolean, debug_logging boolean, company_id integer, create_date timestamp);
  create table mail_template (
    id serial primary key, name jsonb, model varchar, subject jsonb, email_from varchar, body_html jsonb,
    mail_server_id integer references ir_mail_server (id) on delete set null, auto_delete boolean, create_date timestamp);
  create table ir_ui_view (
    id serial primary key, name varchar not null, model varchar, key varchar, priority integer not null, type varchar, arch_db jsonb,
    inherit_id integer references ir_ui_view (id), mode varchar not null, active boolean, create_date timestamp);
  create table ir_attachment (
    id serial primary key, name varchar not null, description text, res_model varchar, res_field varchar, res_id integer, company_id integer,
    type varchar not null, url varchar, public boolean, access_token varchar, db_datas bytea, store_fname varchar, file_size integer,
    checksum varchar(40), mimetype varchar, index_content text, create_date timestamp, write_date timestamp);
  create index ir_attachment_res_idx on ir_attachment (res_model, res_id);
  create table mail_message (
    id serial primary key, subject varchar, date timestamp, body text, model varchar, res_id integer, record_name varchar,
    message_type varchar not null, email_from varchar, author_id integer references res_partner (id), reply_to varchar, message_id varchar,
    create_date timestamp);
  create table mail_message_res_partner_rel (
    mail_message_id integer not null references mail_message (id) on delete cascade, res_partner_id integer not null references res_partner (id) on delete cascade,
    primary key (mail_message_id, res_partner_id));
  create table mail_mail (
    id serial primary key, mail_message_id integer not null references mail_message (id) on delete cascade, body_html text, "references" text, headers text,
    email_to text, email_cc varchar, state varchar, failure_reason text, auto_delete boolean, create_date timestamp);
  create table mail_mail_res_partner_rel (
    mail_mail_id integer not null references mail_mail (id) on delete cascade, res_partner_id integer not null references res_partner (id) on delete cascade,
    primary key (mail_mail_id, res_partner_id));
  create table mail_notification (
    id serial primary key, mail_message_id integer not null references mail_message (id) on delete cascade, res_partner_id integer references res_partner (id) on delete cascade,
    mail_mail_id integer references mail_mail (id) on delete set null, mail_email_address varchar, notification_type varchar not null, notification_status varchar,
    failure_type varchar, failure_reason text, is_read boolean, read_date timestamp);
  create table mail_tracking_value (
    id serial primary key, field_id integer not null, old_value_integer integer, old_value_float double precision, old_value_char varchar, old_value_text text,
    old_value_datetime timestamp, new_value_integer integer, new_value_float double precision, new_value_char varchar, new_value_text text, new_value_datetime timestamp,
    currency_id integer, mail_message_id integer not null references mail_message (id) on delete cascade, create_date timestamp);
  create table crm_lead (
    id serial primary key, name varchar not null, partner_id integer references res_partner (id) on delete set null, contact_name varchar, partner_name varchar,
    email_from varchar, email_normalized varchar, email_cc text, phone varchar, mobile varchar, phone_sanitized varchar, street varchar, street2 varchar, zip varchar,
    city varchar, website varchar, function varchar, description text, type varchar not null, active boolean, user_id integer references res_users (id), create_date timestamp);
  create table resource_resource (
    id serial primary key, name varchar not null, active boolean, company_id integer, resource_type varchar not null, user_id integer references res_users (id),
    time_efficiency double precision not null, tz varchar not null, create_date timestamp);
  create table hr_employee (
    id serial primary key, name varchar, resource_id integer not null references resource_resource (id), user_id integer references res_users (id),
    work_contact_id integer references res_partner (id), company_id integer not null, active boolean, employee_type varchar not null, work_email varchar,
    work_phone varchar, mobile_phone varchar, private_email varchar, private_phone varchar, private_street varchar, private_street2 varchar, private_city varchar,
    private_zip varchar, emergency_contact varchar, emergency_phone varchar, identification_id varchar, passport_id varchar, ssnid varchar, birthday date,
    place_of_birth varchar, spouse_complete_name varchar, study_school varchar, barcode varchar, create_date timestamp,
    constraint hr_employee_barcode_uniq unique (barcode));
`;

const MODULES: Array<[name: string, version: string, state: string]> = [
  ["base", "17.0.1.3", "installed"],
  ["web", "17.0.1.0", "installed"],
  ["mail", "17.0.1.15", "installed"],
  ["payment", "17.0.2.0", "installed"],
  ["delivery", "17.0.1.0", "installed"],
  ["sale", "17.0.1.2", "installed"],
  ["account", "17.0.1.2", "installed"],
  ["contacts", "17.0.1.0", "installed"],
  ["crm", "17.0.1.9", "installed"],
  ["hr", "17.0.1.1", "installed"],
  ["website", "17.0.1.0", "uninstalled"],
];

const data = (partners: number) => `
  insert into ir_config_parameter (key, value, create_date) values
    ('database.uuid', '8d3c2f3e-0c39-11ef-9a61-0242ac120002', now()), ('database.secret', '5b1f3c0e-7a55-4b7e-9f3e-51c7c3f0a1d2', now()),
    ('database.create_date', '2024-05-02 09:14:27', now()), ('web.base.url', 'https://erp.client.example', now()),
    ('base.login_cooldown_after', '10', now()), ('base_setup.default_user_rights', 'True', now());
  insert into res_partner (id, name, complete_name, email, email_normalized, is_company, lang, tz, type, city, create_date) values
    (1, 'YourCompany', 'YourCompany', 'info@yourcompany.example', 'info@yourcompany.example', true, 'en_US', 'Europe/Brussels', 'contact', 'Bruxelles', now()),
    (2, 'OdooBot', 'OdooBot', 'odoobot@example.com', 'odoobot@example.com', false, 'en_US', null, 'contact', null, now()),
    (3, 'Mitchell Admin', 'YourCompany, Mitchell Admin', 'admin@yourcompany.example', 'admin@yourcompany.example', false, 'en_US', 'Europe/Brussels', 'contact', null, now()),
    (4, 'Jane Erased', 'Jane Erased', 'Jane.Erasure@Example.org', 'jane.erasure@example.org', false, 'fr_FR', null, 'contact', 'Liège', now()),
    (5, 'Jo Ann Keep', 'Jo Ann Keep', 'jojane.erasure@example.org', 'jojane.erasure@example.org', false, 'en_US', null, 'contact', 'Gent', now());
  update res_partner set phone = '+32 4 123 45 67', mobile = '+32 470 12 34 56', street = 'Rue de l''Église 12', zip = '4000', vat = 'BE0477472701',
    website = 'https://jane.example.org', comment = '<p>Prefers French. Allergic to spam.</p>' where id = 4;
  select setval('res_partner_id_seq', 5);
  insert into res_partner (name, complete_name, email, email_normalized, phone, mobile, street, street2, city, zip, vat, website, comment, lang, is_company, type, create_date)
    select n, n, e, lower(e), '+32 2 ' || lpad(i::text, 6, '0'), '+32 47' || lpad(i::text, 7, '0'), i || ' Avenue Louise', case when i % 3 = 0 then 'Bte ' || i end,
      (array['Bruxelles', 'Zürich', 'São Paulo', '東京', 'Kraków', 'Reykjavík'])[1 + i % 6], lpad((1000 + i)::text, 4, '0'),
      case when i % 5 = 0 then 'BE0' || lpad(i::text, 9, '0') end, case when i % 7 = 0 then 'https://partner' || i || '.example' end,
      case when i % 11 = 0 then E'<p>Note with \\'quotes\\', a tab\\tand ünïcödé ✓</p>' end,
      (array['en_US', 'fr_BE', 'nl_BE', 'de_DE'])[1 + i % 4], i % 10 = 0, 'contact', now() - make_interval(days => i)
    from (select i, case when i % 4 = 0 then 'Zoë Ñúñez-Łukasz ' || i when i % 4 = 1 then '株式会社 テスト ' || i else 'Partner ' || i end as n,
                 case when i % 13 = 0 then null else 'partner' || i || '@example.com' end as e
          from generate_series(1, ${partners}) i) p;
  insert into res_users (id, login, password, partner_id, active, company_id, share, create_date) values
    (1, '__system__', null, 2, false, 1, false, now()), (2, 'admin', '$pbkdf2-sha512$600000$fixture', 3, true, 1, false, now()),
    (3, 'jane.erasure@example.org', '$pbkdf2-sha512$600000$fixture2', 4, true, 1, true, now());
  select setval('res_users_id_seq', 3);
  insert into ir_act_server (id, name, model_name, state, code, webhook_url, usage, create_date) values
    (1, '{"en_US": "Base: Auto-vacuum internal data"}', 'ir.autovacuum', 'code', 'model._run_vacuum_cleaner()', null, 'ir_cron', now()),
    (2, '{"en_US": "Mail: Email Queue Manager"}', 'mail.mail', 'code', 'model.process_email_queue()', null, 'ir_cron', now()),
    (3, '{"en_US": "Digest Emails"}', 'digest.digest', 'code', 'model._cron_send_digest_email()', null, 'ir_cron', now()),
    (4, '{"en_US": "Payment: Post-process transactions"}', 'payment.transaction', 'code', 'model._cron_finalize_post_processing()', null, 'ir_cron', now()),
    (5, '{"en_US": "Notify the CRM"}', 'res.partner', 'webhook', null, 'https://hooks.client.example/odoo', 'ir_actions_server', now());
  select setval('ir_act_server_id_seq', 5);
  insert into ir_cron (id, ir_actions_server_id, cron_name, user_id, active, interval_number, interval_type, numbercall, doall, nextcall, priority) values
    (1, 1, 'Base: Auto-vacuum internal data', 1, true, 1, 'days', -1, false, '2024-06-01 03:00:00', 5),
    (2, 2, 'Mail: Email Queue Manager', 1, true, 1, 'hours', -1, false, '2024-06-01 03:00:00', 5),
    (3, 3, 'Digest Emails', 1, true, 1, 'days', -1, false, '2024-06-01 03:00:00', 5),
    (4, 4, 'Payment: Post-process transactions', 1, false, 10, 'minutes', -1, false, '2024-06-01 03:00:00', 5);
  select setval('ir_cron_id_seq', 4);
  insert into ir_model_data (module, name, model, res_id, noupdate, create_date) values
    ('base', 'autovacuum_job', 'ir.cron', 1, true, now()), ('mail', 'ir_cron_mail_scheduler_action', 'ir.cron', 2, true, now()),
    ('base', 'main_company', 'res.company', 1, true, now()), ('base', 'main_partner', 'res.partner', 1, true, now()),
    ('base', 'partner_root', 'res.partner', 2, true, now()), ('base', 'user_admin', 'res.users', 2, true, now()),
    ('web', 'neutralize_banner', 'ir.ui.view', 3, false, now());
  insert into ir_mail_server (name, from_filter, smtp_host, smtp_port, smtp_authentication, smtp_user, smtp_pass, smtp_encryption, sequence, active, create_date) values
    ('Brevo', 'client.example', 'smtp-relay.brevo.com', 587, 'login', 'erp@client.example', 'xsmtpsib-secret', 'starttls', 10, true, now()),
    ('Office 365', null, 'smtp.office365.com', 587, 'login', 'noreply@client.example', 'secret', 'starttls', 20, true, now()),
    ('Old relay', null, 'mail.old.example', 25, 'login', null, null, 'none', 30, false, now());
  insert into fetchmail_server (name, active, state, server, port, server_type, is_ssl, "user", password, priority, create_date) values
    ('Support inbox', true, 'done', 'imap.client.example', 993, 'imap', true, 'support@client.example', 'secret', 5, now());
  insert into payment_provider (name, code, state, company_id, is_published, create_date) values
    ('{"en_US": "Stripe"}', 'stripe', 'enabled', 1, true, now()), ('{"en_US": "PayPal"}', 'paypal', 'test', 1, true, now()),
    ('{"en_US": "Wire Transfer"}', 'custom', 'enabled', 1, true, now()), ('{"en_US": "Adyen"}', 'adyen', 'disabled', 1, false, now());
  insert into delivery_carrier (name, active, sequence, delivery_type, integration_level, prod_environment, company_id, create_date) values
    ('{"en_US": "Standard delivery"}', true, 10, 'fixed', 'rate_and_ship', false, 1, now()),
    ('{"en_US": "By weight"}', true, 20, 'base_on_rule', 'rate_and_ship', false, 1, now()),
    ('{"en_US": "FedEx International"}', true, 30, 'fedex', 'rate_and_ship', true, 1, now()),
    ('{"en_US": "DHL Express"}', true, 40, 'dhl', 'rate', true, 1, now());
  insert into mail_template (name, model, subject, email_from, body_html, mail_server_id, auto_delete, create_date) values
    ('{"en_US": "Sales: Send Quotation"}', 'sale.order', '{"en_US": "{{ object.name }}"}', '{{ user.email_formatted }}', '{"en_US": "<p>Dear customer</p>"}', 1, true, now()),
    ('{"en_US": "Invoice: Sending"}', 'account.move', '{"en_US": "Invoice {{ object.name }}"}', null, '{"en_US": "<p>Your invoice</p>"}', 1, true, now()),
    ('{"en_US": "Payment: Receipt"}', 'payment.transaction', '{"en_US": "Receipt"}', null, '{"en_US": "<p>Thank you — merci</p>"}', 2, true, now());
  insert into ir_ui_view (id, name, model, key, priority, type, arch_db, mode, active, create_date) values
    (1, 'res.partner.form', 'res.partner', null, 16, 'form', '{"en_US": "<form><field name=\\"name\\"/></form>"}', 'primary', true, now()),
    (2, 'web.layout', null, 'web.layout', 16, 'qweb', '{"en_US": "<t t-name=\\"web.layout\\"/>"}', 'primary', true, now()),
    (3, 'neutralize_banner', null, 'web.neutralize_banner', 16, 'qweb', '{"en_US": "<t><div class=\\"o_neutralize_banner\\"/></t>"}', 'extension', false, now());
  select setval('ir_ui_view_id_seq', 3);
  insert into mail_message (subject, date, body, model, res_id, record_name, message_type, email_from, author_id, message_id, create_date)
    select 'Message ' || i, now() - make_interval(hours => i), '<p>Bonjour ' || i || ' — ✉️ réponse</p>', 'res.partner', 10 + i % 50, 'Partner',
      (array['comment', 'email', 'notification'])[1 + i % 3], '"Partner ' || i || '" <partner' || i || '@example.com>', null, '<' || i || '@client.example>', now()
    from generate_series(1, 60) i;
  insert into mail_message (subject, date, body, model, res_id, message_type, email_from, author_id, message_id, create_date) values
    ('Question', now(), '<p>Can you call me?</p>', 'res.partner', 4, 'email', '"Jane Erased" <jane.erasure@example.org>', 4, '<jane-1@example.org>', now()),
    ('Re: Question', now(), '<p>Merci !</p>', 'res.partner', 4, 'email', 'JANE.ERASURE@EXAMPLE.ORG', 4, '<jane-2@example.org>', now()),
    ('Hello', now(), '<p>Not Jane</p>', 'res.partner', 5, 'email', 'jojane.erasure@example.org', 5, '<jo-1@example.org>', now());
  insert into crm_lead (id, name, partner_id, contact_name, partner_name, email_from, email_normalized, email_cc, phone, mobile, phone_sanitized, street, zip, city,
      website, function, description, type, active, user_id, create_date) values
    (1, 'Jane Erased''s web shop', 4, 'Jane Erased', null, 'Jane.Erasure@Example.org', 'jane.erasure@example.org', null, '+32 4 123 45 67', '+32 470 12 34 56',
      '+3241234567', 'Rue de l''Église 12', '4000', 'Liège', 'https://jane.example.org', 'Owner', '<p>Jane Erased wants a quote</p>', 'opportunity', true, 2, now()),
    (2, 'Referral', 4, 'Jane Erased', 'Jane Erased', null, null, null, '+32 4 123 45 67', null, null, null, null, null, null, null, null, 'lead', true, 2, now()),
    (3, 'Website form', null, 'Jane Erased', null, '"Jane E." <jane.erasure@example.org>', 'jane.erasure@example.org', null, null, null, null, null, null, null, null, null,
      '<p>Sent from the contact form</p>', 'lead', false, null, now()),
    (4, 'Jo Ann''s renovation', 5, 'Jo Ann Keep', null, 'jojane.erasure@example.org', 'jojane.erasure@example.org', null, '+32 9 876 54 32', null,
      null, 'Kouter 1', '9000', 'Gent', null, null, '<p>Jo Ann wants a quote</p>', 'opportunity', true, 2, now());
  select setval('crm_lead_id_seq', 4);
  insert into resource_resource (id, name, active, company_id, resource_type, user_id, time_efficiency, tz, create_date) values
    (1, 'Mitchell Admin', true, 1, 'user', 2, 100, 'Europe/Brussels', now()), (2, 'Jane Erased', true, 1, 'user', 3, 100, 'Europe/Brussels', now());
  select setval('resource_resource_id_seq', 2);
  insert into hr_employee (id, name, resource_id, user_id, work_contact_id, company_id, active, employee_type, work_email, work_phone, mobile_phone, private_email,
      private_phone, private_street, private_city, private_zip, emergency_contact, emergency_phone, identification_id, passport_id, ssnid, birthday, place_of_birth,
      spouse_complete_name, study_school, barcode, create_date) values
    (1, 'Mitchell Admin', 1, 2, 3, 1, true, 'employee', 'admin@yourcompany.example', '+32 2 290 34 90', null, null, null, null, null, null, null, null, null, null, null,
      null, null, null, null, '0001', now()),
    (2, 'Jane Erased', 2, 3, 4, 1, true, 'employee', 'jane.erasure@example.org', '+32 4 123 45 67', '+32 470 12 34 56', 'jane.private@example.net', '+32 470 99 88 77',
      'Quai de la Batte 3', 'Liège', '4000', 'Paul Erased', '+32 470 55 44 33', '850101-123-45', 'EM123456', '85.01.01-123.45', '1985-01-01', 'Namur',
      'Paul Erased', 'ULiège', '0002', now());
  select setval('hr_employee_id_seq', 2);
  insert into mail_message (id, subject, date, body, model, res_id, record_name, message_type, email_from, author_id, reply_to, message_id, create_date) values
    (101, null, now(), '<p>Called Jane Erased on +32 4 123 45 67</p>', 'crm.lead', 1, 'Jane Erased''s web shop', 'comment', '"Mitchell Admin" <admin@yourcompany.example>', 3,
      null, '<lead-1@client.example>', now()),
    (102, null, now(), '', 'res.partner', 4, 'Jane Erased', 'notification', '"Mitchell Admin" <admin@yourcompany.example>', 3, null, '<partner-4@client.example>', now()),
    (103, 'Sick note', now(), '<p>Jane Erased, see the attached certificate</p>', 'hr.employee', 2, 'Jane Erased', 'email', 'jane.private@example.net', null,
      'jane.private@example.net', '<sick@example.net>', now()),
    (104, null, now(), '', 'res.partner', 5, 'Jo Ann Keep', 'notification', '"Mitchell Admin" <admin@yourcompany.example>', 3, null, '<partner-5@client.example>', now()),
    (105, 'Order 7', now(), '<p>Where is my order?</p>', 'sale.order', 7, 'S00007', 'email', 'Someone <someone@example.com>', null,
      '"Jane Erased" <jane.erasure@example.org>', '<order-7@example.com>', now());
  select setval('mail_message_id_seq', 105);
  insert into mail_message_res_partner_rel (mail_message_id, res_partner_id) values (101, 4), (104, 5), (1, 4), (1, 5);
  insert into mail_mail (id, mail_message_id, body_html, "references", headers, email_to, email_cc, state, auto_delete, create_date) values
    (1, 101, '<p>Dear Jane Erased, as discussed on +32 4 123 45 67</p>', '<lead-1@client.example>', '{"X-Odoo-Objects": "crm.lead-1"}', 'jane.erasure@example.org', null, 'sent', false, now()),
    (2, 104, '<p>Dear Jo Ann</p>', null, null, 'jojane.erasure@example.org', null, 'sent', false, now()),
    (3, 5, '<p>Our newsletter</p>', null, null, null, null, 'outgoing', true, now());
  select setval('mail_mail_id_seq', 3);
  insert into mail_mail_res_partner_rel (mail_mail_id, res_partner_id) values (3, 4), (3, 5);
  insert into mail_notification (mail_message_id, res_partner_id, mail_mail_id, mail_email_address, notification_type, notification_status, is_read) values
    (101, 4, 1, 'jane.erasure@example.org', 'email', 'sent', true), (5, 4, 3, null, 'email', 'ready', false), (104, 5, 2, 'jojane.erasure@example.org', 'email', 'sent', true),
    (5, 5, 3, null, 'email', 'ready', false);
  insert into mail_tracking_value (field_id, old_value_char, new_value_char, mail_message_id, create_date) values
    (31, '+32 4 000 00 00', '+32 4 123 45 67', 102, now()), (32, 'New', 'Qualified', 101, now()), (31, '+32 9 000 00 00', '+32 9 876 54 32', 104, now());
  insert into mail_tracking_value (field_id, old_value_integer, new_value_integer, old_value_char, new_value_char, mail_message_id, create_date) values
    (33, null, 4, null, 'Jane Erased', 101, now());
`;

/** The fixture's person to erase (see `OdooFixture.subject`), the same in every fixture database. */
export const ODOO_SUBJECT = {
  email: "jane.erasure@example.org",
  /** Their contact's id (res_partner). */
  partner: 4,
  /** What an erasure of the person rewrites or removes, table by table. */
  rows: {
    res_partner: 1, res_users: 1, hr_employee: 1, resource_resource: 1, crm_lead: 3, mail_message: 7, mail_mail: 2, mail_mail_res_partner_rel: 1,
    mail_message_res_partner_rel: 2, mail_notification: 2, mail_tracking_value: 3, ir_attachment: 3,
  } as Record<string, number>,
  /** Their name, addresses, phones, street, identity numbers: none may remain anywhere once erased. */
  traces: ["Jane Erased", "jane.erasure@example.org", "jane.private@example.net", "+32 4 123 45 67", "+32 470 99 88 77", "Église 12", "Quai de la Batte", "EM123456", "BE0477472701"],
};

/** Deterministic, incompressible bytes. */
export function pseudoRandom(seed: string, size: number): Buffer {
  const out = Buffer.alloc(size);
  let block = createHash("sha256").update(seed).digest();
  for (let offset = 0; offset < size; offset += block.length) {
    block.copy(out, offset);
    block = createHash("sha256").update(block).digest();
  }
  return out;
}

type Attachment = { name: string; mimetype: string; resModel: string; resId: number; content: Buffer; index?: string };

function attachments(largeFileBytes: number): Attachment[] {
  const list: Attachment[] = [];
  for (let i = 1; i <= 40; i++) {
    list.push({ name: `note-${i}.txt`, mimetype: "text/plain", resModel: "res.partner", resId: 5 + i, content: Buffer.from(`Attachment ${i}: ünïcödé ✓ ${"lorem ipsum ".repeat(i * 20)}\n`) });
  }
  for (let i = 1; i <= 10; i++) {
    list.push({ name: `scan-${i}.pdf`, mimetype: "application/pdf", resModel: "account.move", resId: i, content: pseudoRandom(`scan ${i}`, 1000 * i + 7) });
  }
  list.push({ name: "Factuur — 2024-001.pdf", mimetype: "application/pdf", resModel: "account.move", resId: 11, content: pseudoRandom("large", largeFileBytes) });
  // Odoo stores a content once: two attachments with the same bytes share one file.
  list.push({ name: "logo.png", mimetype: "image/png", resModel: "res.partner", resId: 1, content: pseudoRandom("logo", 4096) });
  list.push({ name: "logo (copy).png", mimetype: "image/png", resModel: "res.partner", resId: 3, content: pseudoRandom("logo", 4096) });
  // The person to erase: two files only theirs, and one whose content the company's logo shares (the file stays).
  list.push({ name: "Jane Erased - ID card.pdf", mimetype: "application/pdf", resModel: "res.partner", resId: 4, content: Buffer.from("ID card of Jane Erased, +32 4 123 45 67\n"), index: "Jane Erased +32 4 123 45 67" });
  list.push({ name: "CV Jane Erased.pdf", mimetype: "application/pdf", resModel: "hr.employee", resId: 2, content: Buffer.from("Curriculum vitae: Jane Erased, jane.private@example.net\n") });
  list.push({ name: "jane-logo.png", mimetype: "image/png", resModel: "res.partner", resId: 4, content: pseudoRandom("logo", 4096) });
  return list;
}

/**
 * Fills the (empty) database at `url` with an Odoo 17-shaped schema and data, and writes its filestore at
 * `<dataDir>/filestore/<database>/<xx>/<sha1>` as Odoo does (plus the `checklist` folder of Odoo's GC).
 * Connects with the url's role, so the tables belong to it, as Odoo's belong to its database user.
 */
export async function createOdooFixture(url: string, dataDir: string, options: OdooFixtureOptions = {}): Promise<OdooFixture> {
  const database = decodeURIComponent(new URL(url).pathname.slice(1));
  const filestore = path.join(dataDir, "filestore", database);
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const erasedFiles: string[] = [];
  try {
    await sql.unsafe(SCHEMA);
    const modules = MODULES.map(([name, version, state]) => ({ name, latest_version: version, state, author: "Odoo S.A.", license: "LGPL-3", shortdesc: sql.json({ en_US: name }) }));
    await sql`insert into ir_module_module ${sql(modules)}`;
    await sql.unsafe(data(Math.trunc(options.partners ?? 300)));
    for (const attachment of attachments(options.largeFileBytes ?? 3 * 1024 * 1024)) {
      const sha1 = createHash("sha1").update(attachment.content).digest("hex");
      const storeFname = `${sha1.slice(0, 2)}/${sha1}`;
      fs.mkdirSync(path.join(filestore, sha1.slice(0, 2)), { recursive: true });
      fs.writeFileSync(path.join(filestore, storeFname), attachment.content);
      await sql`
        insert into ir_attachment (name, res_model, res_id, type, public, store_fname, file_size, checksum, mimetype, index_content, create_date)
        values (${attachment.name}, ${attachment.resModel}, ${attachment.resId}, 'binary', false, ${storeFname}, ${attachment.content.length}, ${sha1}, ${attachment.mimetype},
          ${attachment.index ?? null}, now())`;
      if (attachment.name.includes("Jane Erased")) erasedFiles.push(storeFname);
      if (attachment.name.startsWith("scan-1")) {
        fs.mkdirSync(path.join(filestore, "checklist", sha1.slice(0, 2)), { recursive: true });
        fs.writeFileSync(path.join(filestore, "checklist", storeFname), "");
      }
    }
  } finally {
    await sql.end();
  }
  return { database, filestore, version: "17.0", subject: { ...ODOO_SUBJECT, records: Object.values(ODOO_SUBJECT.rows).reduce((a, b) => a + b, 0), erasedFiles: erasedFiles.sort() } };
}

/** Per table of schema public (and per sequence): row count and an md5 over every row, in the order of the rows' text. */
export async function odooTableChecksums(url: string): Promise<Record<string, { count: number; md5: string }>> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const result: Record<string, { count: number; md5: string }> = {};
    const tables = await sql<{ name: string }[]>`select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`;
    for (const { name } of tables) {
      const [row] = await sql<{ count: number; md5: string }[]>`
        select count(*)::int as count, md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as md5 from ${sql(name)} t`;
      result[name] = row!;
    }
    const sequences = await sql<{ name: string; last: string | null }[]>`select sequencename as name, last_value::text as last from pg_sequences where schemaname = 'public'`;
    for (const { name, last } of sequences) result[`sequence ${name}`] = { count: Number(last ?? 0), md5: "" };
    return result;
  } finally {
    await sql.end();
  }
}

function sha256File(file: string): string {
  const hash = createHash("sha256");
  const buffer = Buffer.alloc(64 * 1024);
  const fd = fs.openSync(file, "r");
  try {
    for (let n; (n = fs.readSync(fd, buffer, 0, buffer.length, null)) > 0; ) hash.update(buffer.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest("hex");
}

/** Every file under `dir`: its path relative to `dir` → its sha256. */
export function filestoreChecksums(dir: string): Record<string, string> {
  const result: Record<string, string> = {};
  const walk = (relative: string) => {
    for (const entry of fs.readdirSync(path.join(dir, relative), { withFileTypes: true })) {
      const child = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile()) result[child] = sha256File(path.join(dir, child));
    }
  };
  walk("");
  return result;
}
