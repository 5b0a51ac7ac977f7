import { PluginError, type NotificationMessage, type NotifierClient, type NotifierContribution, type PluginConfig } from "@safehold/plugin-api";
import { signature, webhookBody, type WebhookFormat } from "./webhook-body";

const TIMEOUT_MS = 10_000;

const NETWORK: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "the connection was reset",
  EHOSTUNREACH: "no route to the host",
  ENETUNREACH: "the network is unreachable",
  ENOTFOUND: "the host name does not resolve",
  EAI_AGAIN: "the host name could not be resolved",
};

type Target = { url: URL; format: WebhookFormat; secret?: string };

function target(config: PluginConfig): Target {
  let url: URL;
  try {
    url = new URL(String(config.url ?? ""));
  } catch {
    throw new Error("The webhook URL is not a valid URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("The webhook URL must start with http:// or https://");
  const secret = typeof config.secret === "string" && config.secret !== "" ? config.secret : undefined;
  return { url, format: config.format === "slack" ? "slack" : "json", secret };
}

/** Errors name only the scheme, host and port: the path of an incoming-webhook URL is often its token. */
function describeFetchError(err: unknown, origin: string): PluginError {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e.name === "TimeoutError") return PluginError.unavailable(`The webhook at ${origin} did not answer within ${TIMEOUT_MS / 1000} s`, { cause: err });
  const code = e.cause?.code;
  if (code && NETWORK[code]) return PluginError.unavailable(`Cannot reach the webhook at ${origin}: ${NETWORK[code]}`, { cause: err });
  if (code && /WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG/.test(code)) return PluginError.invalidConfig(`${origin} does not answer with TLS: is it http:// rather than https://?`, { field: "url", cause: err });
  if (code && /^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED)/.test(code)) return PluginError.invalidConfig(`The TLS certificate of ${origin} was not accepted (${code})`, { field: "url", cause: err });
  const reason = (e.cause?.message ?? e.message ?? "unknown error").split("\n")[0]!.slice(0, 200);
  return PluginError.unavailable(`Cannot reach the webhook at ${origin}: ${reason}`, { cause: err });
}

/** A short, single-line excerpt of what the receiver said: Slack and others explain refusals in the body. */
async function excerpt(response: Response): Promise<string> {
  const text = await response.text().catch(() => "");
  const line = text.replace(/\s+/g, " ").trim().slice(0, 200);
  return line ? `: ${line}` : "";
}

function webhookClient(config: PluginConfig): NotifierClient {
  const { url, format, secret } = target(config);
  return {
    async send(message: NotificationMessage) {
      const body = webhookBody(message, format);
      const headers: Record<string, string> = { "content-type": "application/json", "user-agent": "Safehold", "x-safehold-event": message.event };
      if (secret) headers["x-safehold-signature"] = signature(body, secret);
      let response: Response;
      try {
        // A redirect is reported rather than followed: the signed body should reach only the configured receiver.
        response = await fetch(url, { method: "POST", headers, body, redirect: "manual", signal: AbortSignal.timeout(TIMEOUT_MS) });
      } catch (err) {
        throw describeFetchError(err, url.origin);
      }
      if (response.status < 200 || response.status > 299) {
        const message = `The webhook at ${url.origin} answered ${response.status}${response.statusText ? ` ${response.statusText}` : ""}${await excerpt(response)}`;
        // A receiver that is down or busy may recover; one that refuses the request (4xx, a redirect) answers the same next time.
        throw new PluginError(response.status >= 500 || response.status === 408 || response.status === 429 ? "UNAVAILABLE" : "PERMANENT", message);
      }
      await response.body?.cancel().catch(() => {});
    },
  };
}

export const webhookNotifier: NotifierContribution = { create: webhookClient };
