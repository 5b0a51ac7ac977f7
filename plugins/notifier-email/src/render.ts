import type { NotificationMessage } from "@safehold/plugin-api";

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

const COLORS: Record<NotificationMessage["severity"], string> = { success: "#047857", failure: "#b91c1c", info: "#1d4ed8" };

/** The facts as "Name: value" lines, names capitalized. */
function fieldLines(message: NotificationMessage): Array<[string, string]> {
  return Object.entries(message.fields).map(([name, value]) => [name.charAt(0).toUpperCase() + name.slice(1), value]);
}

export function renderText(message: NotificationMessage): string {
  const lines = [message.text, "", ...fieldLines(message).map(([name, value]) => `${name}: ${value}`)];
  if (message.url) lines.push("", message.url);
  lines.push("", `Sent by Safehold at ${message.occurredAt}`);
  return lines.join("\n");
}

/** A plain, inline-styled page: mail clients ignore style sheets. */
export function renderHtml(message: NotificationMessage): string {
  const rows = fieldLines(message)
    .map(([name, value]) => `<tr><td style="padding:2px 12px 2px 0;color:#64748b">${escapeHtml(name)}</td><td style="padding:2px 0">${escapeHtml(value)}</td></tr>`)
    .join("");
  const paragraphs = message.text
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => `<p style="margin:0 0 8px">${escapeHtml(l)}</p>`)
    .join("");
  const link = message.url ? `<p style="margin:16px 0 0"><a href="${escapeHtml(message.url)}">Open in Safehold</a></p>` : "";
  return [
    `<div style="font-family:system-ui,sans-serif;font-size:14px;color:#0f172a">`,
    `<h2 style="margin:0 0 12px;font-size:16px;color:${COLORS[message.severity]}">${escapeHtml(message.title)}</h2>`,
    paragraphs,
    rows ? `<table style="border-collapse:collapse;margin-top:8px">${rows}</table>` : "",
    link,
    `<p style="margin:16px 0 0;font-size:12px;color:#94a3b8">Sent by Safehold at ${escapeHtml(message.occurredAt)}</p>`,
    `</div>`,
  ].join("");
}
