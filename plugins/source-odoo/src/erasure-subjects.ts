import type { SetName } from "./erasure-rules";

/** The record types a subject may be given by, in Odoo's `model,id` form or by their short name. */
const REFERENCES: Record<string, SetName> = {
  "res.partner": "partners",
  partner: "partners",
  "res.users": "users",
  user: "users",
  "hr.employee": "employees",
  employee: "employees",
};

export type ErasureSubjects = {
  /** Email addresses, lower case. */
  addresses: string[];
  /** Records given by reference, by set. */
  records: Partial<Record<SetName, number[]>>;
};

const ADDRESS = /^[^\s@,]+@[^\s@,]+$/;

/**
 * Reads the project's erasure list: email addresses and record references (`res.partner,42`, `partner,42`). A
 * reference Odoo does not know fails the restore or export: a person the rules cannot find must not come back.
 */
export function parseSubjects(subjects: string[]): ErasureSubjects {
  const addresses = new Set<string>();
  const records: Partial<Record<SetName, number[]>> = {};
  for (const raw of subjects) {
    const subject = raw.trim().toLowerCase();
    if (!subject) continue;
    if (ADDRESS.test(subject)) {
      addresses.add(subject);
      continue;
    }
    const match = /^([a-z][a-z0-9_.]*),([1-9][0-9]{0,9})$/.exec(subject);
    const set = match && Object.hasOwn(REFERENCES, match[1]!) ? REFERENCES[match[1]!]! : null;
    const id = match ? Number(match[2]) : NaN;
    if (!set || id > 2147483647) {
      throw new Error(`The erasure subject "${raw}" is neither an email address nor a record Odoo erasure knows (res.partner,ID, res.users,ID or hr.employee,ID)`);
    }
    (records[set] ??= []).push(id);
  }
  return { addresses: [...addresses].sort(), records };
}

const ADDRESS_IN_TEXT = /[a-z0-9._%+-]+@[a-z0-9-]+(\.[a-z0-9-]+)+/g;

/** The addresses written in a column's value (an address, or "Name <address>"). */
export function addressesIn(value: string): string[] {
  return value.toLowerCase().match(ADDRESS_IN_TEXT) ?? [];
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * A regular expression (the same in PostgreSQL and JavaScript) matching any of the addresses as a whole address,
 * alone or inside "Name <address>", but not inside a longer one (ann@x.com must not match joann@x.com). Matched
 * against lower-cased text.
 */
export function addressPattern(addresses: string[]): string {
  return `(^|[^a-z0-9._%+-])(${addresses.map(escapeRegex).join("|")})($|[^a-z0-9.-])`;
}
