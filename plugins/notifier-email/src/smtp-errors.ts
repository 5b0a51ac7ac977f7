import { PluginError, type PluginErrorCode } from "@safehold/plugin-api";
import type { EmailSettings } from "./config";

type SmtpError = Error & { code?: string; originalCode?: string; response?: string; command?: string };

const NETWORK: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "the connection was reset",
  EHOSTUNREACH: "no route to the host",
  ENETUNREACH: "the network is unreachable",
};

/** The server's reply without the line breaks some servers put in it. */
function reply(err: SmtpError): string {
  return (err.response ?? "").replace(/\s+/g, " ").trim();
}

/**
 * What went wrong in terms an operator can act on, on one line. Only the server's reply or the first line of
 * Nodemailer's message is kept; neither ever quotes the password.
 */
export function describeSmtpError(err: unknown, settings: EmailSettings): PluginError {
  const e = (err instanceof Error ? err : new Error(String(err))) as SmtpError;
  // Codes: the network may come back (retried); a refused login, a wrong setting or a refused address will not.
  const fail = (code: PluginErrorCode, message: string, field?: string) => new PluginError(code, message, { cause: err, ...(field ? { field } : {}) });
  const where = `${settings.host}:${settings.port}`;
  const system = e.originalCode ?? (e.code && NETWORK[e.code] ? e.code : undefined);
  if (system && NETWORK[system]) return fail("UNAVAILABLE", `Nothing is listening on ${where} (${NETWORK[system]})`);
  if (system === "ENOTFOUND" || system === "EAI_AGAIN" || e.code === "EDNS") return fail("INVALID_CONFIG", `The SMTP server name "${settings.host}" does not resolve`, "host");
  if (e.code === "ETIMEDOUT" || system === "ETIMEDOUT") return fail("UNAVAILABLE", `The SMTP server at ${where} did not answer in time`);
  if (e.code === "EAUTH") {
    return settings.username
      ? fail("UNAUTHORIZED", `The SMTP server at ${where} refused the login of "${settings.username}"${reply(e) ? `: ${reply(e)}` : ""}`)
      : fail("UNAUTHORIZED", `The SMTP server at ${where} asks for a login: fill in Username and Password`);
  }
  if (e.command === "STARTTLS") return fail("INVALID_CONFIG", `The SMTP server at ${where} does not accept STARTTLS: check the Security setting and the port`, "security");
  if (/WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG/.test(system ?? "")) return fail("INVALID_CONFIG", `The SMTP server at ${where} does not start with TLS: choose STARTTLS (usually port 587) or check the port`, "security");
  if (e.code === "ETLS" || /^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED)/.test(system ?? "")) {
    return fail("INVALID_CONFIG", `TLS with the SMTP server at ${where} failed (${system ?? (e.message.split("\n")[0] ?? "").slice(0, 200)}): check the Security setting and the port`, "security");
  }
  if (e.code === "EENVELOPE") return fail("PERMANENT", `The SMTP server at ${where} refused the sender or a recipient: ${reply(e) || e.message.split("\n")[0]}`);
  const first = (e.message.split("\n").find((l) => l.trim()) ?? "unknown error").trim().slice(0, 300);
  return fail("UNAVAILABLE", `Sending the email through ${where} failed: ${first}`);
}
