import { formatBytes, formatDateTime } from "./format";

const BYTES = /\b(\d{4,}) bytes\b/g;
const ISO_INSTANT = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})\b/g;

/**
 * A stored message as a person reads it: byte counts ("170123456 bytes") and ISO instants shown as sizes and
 * local times. The stored text stays as it was (the CSV export and the API give it raw).
 */
export function humanizeMessage(message: string): string {
  return message.replace(BYTES, (_, n: string) => formatBytes(Number(n))).replace(ISO_INSTANT, (iso) => formatDateTime(iso));
}
