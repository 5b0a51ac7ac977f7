import { createTransport } from "nodemailer";
import type { CallContext, NotificationMessage, NotifierClient, NotifierContribution, PluginConfig, TestOptions } from "@safehold/plugin-api";
import { emailSettings } from "./config";
import { renderHtml, renderText } from "./render";
import { describeSmtpError } from "./smtp-errors";

/** Seconds to connect and for each reply: a stuck server fails the attempt, and the console retries later. */
const TIMEOUT_MS = 15_000;

function emailClient(config: PluginConfig): NotifierClient {
  const settings = emailSettings(config);
  const transport = createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.security === "tls",
    requireTLS: settings.security === "starttls",
    // "None" stays unencrypted even when the server offers STARTTLS, as the operator chose (e.g. a local relay with a self-signed certificate).
    ignoreTLS: settings.security === "none",
    auth: settings.username ? { user: settings.username, pass: settings.password ?? "" } : undefined,
    connectionTimeout: TIMEOUT_MS,
    greetingTimeout: TIMEOUT_MS,
    socketTimeout: TIMEOUT_MS,
  });
  return {
    async send(message: NotificationMessage) {
      try {
        await transport.sendMail({ from: settings.from, to: settings.to, subject: message.title, text: renderText(message), html: renderHtml(message) });
      } catch (err) {
        throw describeSmtpError(err, settings);
      }
    },
    /** Connects, says hello and logs in (when a username is set) without sending anything. */
    async testConnection(_context: CallContext, { signal }: TestOptions) {
      signal.throwIfAborted();
      try {
        await transport.verify();
        return { ok: true, message: `The SMTP server at ${settings.host}:${settings.port} accepted the connection${settings.username ? ` and the login of "${settings.username}"` : ""}` };
      } catch (err) {
        return { ok: false, message: describeSmtpError(err, settings).message };
      }
    },
    async close() {
      transport.close();
    },
  };
}

export const emailNotifier: NotifierContribution = { create: emailClient };
