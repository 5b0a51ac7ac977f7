/**
 * What erasure means in an Odoo database, as data: which rows belong to an erased person (the finders) and what
 * is done to the rows that hold their data (the rewrites). Read by both the SQL re-application in a restored copy
 * (erasure.ts) and the rewriting of a plain pg_dump (erasure-dump.ts), so both erase exactly the same.
 * Columns are Odoo 16 and 17's; those a database lacks are left alone.
 */

/** The records found to belong to the erased people, by id. */
export type SetName = "partners" | "users" | "employees" | "resources" | "leads" | "messages" | "mails";

/** Sets found from the people once they are known; nothing is found from them in turn. */
export const LEAF_SETS: SetName[] = ["messages", "mails"];

/** How a row is recognised. A row matches a rule when any of its tests holds. */
export type RowTest =
  /** An integer column (`id`: the row itself) holds a member of the set. */
  | { column: string; in: SetName }
  /** One of the columns holds one of the erased addresses (alone or in "Name <address>", not inside a longer one). */
  | { address: string[] }
  /** The row is attached to a member of the set: Odoo's (res_model, res_id) style reference. */
  | { model: string; modelColumn: string; idColumn: string; in: SetName };

/** Finds one set's members, and what a member leads to. */
export type Finder = {
  table: string;
  set: SetName;
  when: RowTest[];
  /** Integer columns of a member whose values join another set (a user's partner, an employee's resource...). */
  also?: Array<{ column: string; set: SetName }>;
  /** Columns of a member holding its addresses: they are erased everywhere too (for people given by record). */
  addresses?: string[];
};

/** A new value: null, false, or text where `{id}` stands for the row's id. */
export type Replacement = null | false | string;

export type Rewrite = {
  table: string;
  when: RowTest[];
  /** Rows are removed: only link tables nothing references, so a dump still loads with its foreign keys. */
  remove?: true;
  replace?: Record<string, Replacement>;
  /** The column naming the row's file in the filestore: erased with the row, unless a kept row shares it. */
  file?: string;
};

const RECORD_MODELS: Array<[model: string, set: SetName]> = [
  ["res.partner", "partners"],
  ["res.users", "users"],
  ["hr.employee", "employees"],
  ["crm.lead", "leads"],
];

/** Messages of a record the erased person is: a partner's, a user's or an employee's chatter, or their lead's. */
const onErasedRecord = (modelColumn: string, idColumn: string, models = RECORD_MODELS): RowTest[] =>
  models.map(([model, set]) => ({ model, modelColumn, idColumn, in: set }));

/**
 * Found together, until nothing more is found: a partner leads to its users, a user to its partner and its
 * employee, an employee to its work contact (Odoo 17), home address (Odoo 16) and resource, a lead to nothing.
 */
export const PEOPLE_FINDERS: Finder[] = [
  { table: "res_partner", set: "partners", when: [{ column: "id", in: "partners" }, { address: ["email", "email_normalized"] }], addresses: ["email"] },
  {
    table: "res_users",
    set: "users",
    when: [{ column: "id", in: "users" }, { address: ["login"] }, { column: "partner_id", in: "partners" }],
    also: [{ column: "partner_id", set: "partners" }],
    addresses: ["login"],
  },
  {
    table: "hr_employee",
    set: "employees",
    when: [
      { column: "id", in: "employees" },
      { address: ["work_email", "private_email"] },
      { column: "user_id", in: "users" },
      { column: "work_contact_id", in: "partners" },
      { column: "address_home_id", in: "partners" },
    ],
    also: [
      { column: "work_contact_id", set: "partners" },
      { column: "address_home_id", set: "partners" },
      { column: "user_id", set: "users" },
      { column: "resource_id", set: "resources" },
    ],
    addresses: ["work_email", "private_email"],
  },
  { table: "crm_lead", set: "leads", when: [{ address: ["email_from", "email_normalized"] }, { column: "partner_id", in: "partners" }] },
];

/**
 * Found once the people are known: the messages they wrote, were sent (as a recipient) or that sit on their
 * records, and the outgoing mails addressed to them.
 */
export const MESSAGE_FINDERS: Finder[] = [
  {
    table: "mail_message",
    set: "messages",
    when: [{ column: "author_id", in: "partners" }, { address: ["email_from", "reply_to"] }, ...onErasedRecord("model", "res_id")],
  },
  { table: "mail_message_res_partner_rel", set: "messages", when: [{ column: "res_partner_id", in: "partners" }], also: [{ column: "mail_message_id", set: "messages" }] },
  { table: "mail_mail_res_partner_rel", set: "mails", when: [{ column: "res_partner_id", in: "partners" }], also: [{ column: "mail_mail_id", set: "mails" }] },
];

const ERASED_CONTACT = "Erased contact";
const ERASED_EMPLOYEE = "Erased employee";

function cleared(columns: string[]): Record<string, null> {
  return Object.fromEntries(columns.map((c) => [c, null]));
}

/** What is done to the rows holding the erased people's data. */
export const REWRITES: Rewrite[] = [
  {
    table: "res_partner",
    when: [{ column: "id", in: "partners" }],
    replace: {
      name: ERASED_CONTACT,
      complete_name: ERASED_CONTACT,
      display_name: ERASED_CONTACT,
      ...cleared(["email", "email_normalized", "phone", "mobile", "phone_sanitized", "street", "street2", "city", "zip", "vat", "website", "comment", "function", "ref"]),
      ...cleared(["company_name", "commercial_company_name", "barcode", "signup_token", "partner_latitude", "partner_longitude"]),
    },
  },
  {
    table: "res_users",
    when: [{ column: "id", in: "users" }],
    replace: { login: "erased-{id}@invalid", active: false, password: null, signature: null, totp_secret: null },
  },
  {
    table: "hr_employee",
    when: [{ column: "id", in: "employees" }],
    replace: {
      name: ERASED_EMPLOYEE,
      ...cleared(["legal_name", "work_email", "work_phone", "mobile_phone", "phone", "private_email", "private_phone", "private_street", "private_street2", "private_city", "private_zip"]),
      ...cleared(["emergency_contact", "emergency_phone", "identification_id", "passport_id", "ssnid", "sinid", "birthday", "place_of_birth", "spouse_complete_name", "spouse_birthdate"]),
      ...cleared(["visa_no", "permit_no", "study_field", "study_school", "barcode", "pin", "private_car_plate", "km_home_work", "notes", "additional_note"]),
    },
  },
  { table: "resource_resource", when: [{ column: "id", in: "resources" }], replace: { name: ERASED_EMPLOYEE } },
  {
    table: "crm_lead",
    when: [{ column: "id", in: "leads" }],
    replace: {
      name: "Erased lead",
      ...cleared(["contact_name", "partner_name", "email_from", "email_normalized", "email_cc", "phone", "mobile", "phone_sanitized", "street", "street2", "zip", "city", "website", "function", "description"]),
    },
  },
  {
    table: "mail_message",
    when: [{ column: "id", in: "messages" }],
    replace: { subject: null, body: null, preview: null, email_from: null, reply_to: null, record_name: null, email_cc: null },
  },
  {
    table: "mail_mail",
    when: [{ column: "id", in: "mails" }, { column: "mail_message_id", in: "messages" }, { address: ["email_to", "email_cc"] }],
    replace: cleared(["body_html", "email_to", "email_cc", "headers", "references", "failure_reason"]),
  },
  { table: "mail_mail_res_partner_rel", when: [{ column: "res_partner_id", in: "partners" }], remove: true },
  { table: "mail_message_res_partner_rel", when: [{ column: "res_partner_id", in: "partners" }], remove: true },
  { table: "mail_notification", when: [{ column: "res_partner_id", in: "partners" }, { address: ["mail_email_address"] }], remove: true },
  {
    table: "mail_tracking_value",
    when: [{ column: "mail_message_id", in: "messages" }],
    replace: cleared(["integer", "float", "monetary", "char", "text", "datetime"].flatMap((kind) => [`old_value_${kind}`, `new_value_${kind}`])),
  },
  {
    // Emptied rather than removed: messages and other records may still point at the attachment's row.
    table: "ir_attachment",
    when: onErasedRecord("res_model", "res_id", RECORD_MODELS.filter(([model]) => model !== "crm.lead")),
    replace: { name: "erased", ...cleared(["description", "url", "store_fname", "db_datas", "checksum", "mimetype", "index_content", "file_size", "access_token", "original_id"]) },
    file: "store_fname",
  },
];

/** Finding the people is repeated while it learns something new; chains longer than this are refused, not cut short. */
export const MAX_FINDING_ROUNDS = 6;

export function tooManyRounds(): Error {
  return new Error(`Erasure kept finding new records of the erased people after ${MAX_FINDING_ROUNDS} rounds: refusing to hand back a copy that may still hold their data`);
}

/** Every table erasure reads or changes. */
export const ERASURE_TABLES = [...new Set([...PEOPLE_FINDERS, ...MESSAGE_FINDERS, ...REWRITES].map((r) => r.table))];

/** The integer columns a test reads a set member from (not `id`: the row's own id is known when the row is read). */
export function linkColumns(finder: Finder): string[] {
  const columns = finder.when.flatMap((t) => ("column" in t && t.column !== "id" ? [t.column] : "idColumn" in t ? [t.idColumn] : []));
  return [...new Set(columns)];
}
