import { Secret, TOTP } from "otpauth";
import QRCode from "qrcode";

const ISSUER = "Safehold";

function totp(secretBase32: string, label = "") {
  return new TOTP({ issuer: ISSUER, label, secret: Secret.fromBase32(secretBase32), algorithm: "SHA1", digits: 6, period: 30 });
}

/** A new 160-bit secret (RFC 4226's recommendation), base32 as authenticator apps take it. */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** What the enrolment page shows: the otpauth:// URI as a QR code (SVG markup) and the secret for typing in. */
export async function totpEnrolment(secretBase32: string, accountLabel: string) {
  const uri = totp(secretBase32, accountLabel).toString();
  const qrSvg = await QRCode.toString(uri, { type: "svg", errorCorrectionLevel: "M", margin: 1 });
  return { secret: secretBase32, uri, qrSvg };
}

/**
 * The time step `code` belongs to when it is valid now (±1 step for clock drift) and later than `lastStep`, so an
 * observed code cannot be replayed; null otherwise.
 */
export function acceptTotp(secretBase32: string, code: string, lastStep: number | null): number | null {
  const token = code.replace(/\s+/g, "");
  if (!/^\d{6}$/.test(token)) return null;
  const generator = totp(secretBase32);
  const delta = generator.validate({ token, window: 1 });
  if (delta === null) return null;
  const step = generator.counter() + delta;
  return lastStep !== null && step <= lastStep ? null : step;
}
