import { z } from "zod";

/** The parts of a zod issue its default message is built from (zod 4's raw issue, before the message is set). */
type RawIssue = {
  code: string;
  input?: unknown;
  expected?: string;
  origin?: string;
  minimum?: number | bigint;
  maximum?: number | bigint;
  inclusive?: boolean;
  format?: string;
  pattern?: string;
  prefix?: string;
  values?: unknown[];
  keys?: string[];
  divisor?: number;
};

const FORMATS: Record<string, string> = {
  uuid: "a valid id",
  email: "an email address",
  url: "a URL (https://…)",
  datetime: "a date and time (ISO 8601, e.g. 2026-12-07T10:00:00Z)",
  date: "a date (YYYY-MM-DD)",
  ipv4: "an IPv4 address",
  ipv6: "an IPv6 address",
};

const TYPES: Record<string, string> = { string: "text", number: "a number", int: "a whole number", boolean: "yes or no (true or false)", array: "a list", object: "an object" };

function plural(n: number | bigint, unit: string): string {
  return `${n} ${unit}${Number(n) === 1 ? "" : "s"}`;
}

/**
 * zod's default messages in words a person reads next to a field ("Must be at least 8 characters" rather than
 * "Too small: expected string to have >=8 characters"). A schema's own message always wins over these.
 */
export function humanZodMessage(issue: RawIssue): string | undefined {
  switch (issue.code) {
    case "invalid_type":
      if (issue.input === undefined || issue.input === null) return "Required";
      return `Must be ${TYPES[issue.expected ?? ""] ?? issue.expected}`;
    case "too_small": {
      const min = issue.minimum ?? 0;
      const at = issue.inclusive === false ? "more than" : "at least";
      if (issue.origin === "string") return Number(min) <= 1 && issue.inclusive !== false ? "Must not be empty" : `Must be ${at} ${plural(min, "character")}`;
      if (issue.origin === "array" || issue.origin === "set") return Number(min) <= 1 && issue.inclusive !== false ? "Choose at least one" : `Choose ${at} ${min}`;
      return `Must be ${at} ${min}`;
    }
    case "too_big": {
      const max = issue.maximum ?? 0;
      const at = issue.inclusive === false ? "less than" : "at most";
      if (issue.origin === "string") return `Must be ${at} ${plural(max, "character")}`;
      if (issue.origin === "array" || issue.origin === "set") return `Choose ${at} ${max}`;
      return `Must be ${at} ${max}`;
    }
    case "invalid_format":
      if (issue.format === "starts_with") return `Must start with "${issue.prefix}"`;
      if (issue.format === "regex") return "Is not in the expected form";
      return `Must be ${FORMATS[issue.format ?? ""] ?? `a valid ${issue.format}`}`;
    case "invalid_value":
      return (issue.values?.length ?? 0) === 1 ? `Must be ${JSON.stringify(issue.values![0])}` : `Must be one of: ${(issue.values ?? []).map((v) => String(v)).join(", ")}`;
    case "not_multiple_of":
      return `Must be a multiple of ${issue.divisor}`;
    case "unrecognized_keys":
      return `Not a known field: ${(issue.keys ?? []).join(", ")}`;
    default:
      return undefined;
  }
}

/** Installs the messages above as zod's default for this process's copy of zod (schemas' own messages still win). */
export function installHumanZodMessages(): void {
  z.config({ customError: (issue) => humanZodMessage(issue as RawIssue) });
}
