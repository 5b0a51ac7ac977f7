import { createHash } from "node:crypto";

const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}$/;

/** The OpenSSH fingerprint of a host key (its wire-format blob), as `ssh-keygen -lf` prints it. */
export function fingerprint(hostKey: Buffer): string {
  return `SHA256:${createHash("sha256").update(hostKey).digest("base64").replace(/=+$/, "")}`;
}

export function isFingerprint(value: string): boolean {
  return FINGERPRINT.test(value);
}

export function notPinnedMessage(target: string): string {
  return `The host key of ${target} is not pinned yet: test the connection on the Servers page and confirm its fingerprint`;
}

export function changedMessage(target: string, presented: string, pinned: string): string {
  return (
    `The host key of ${target} has changed: the server now presents ${presented} but ${pinned} is pinned. ` +
    "Refusing to connect; if the server was reinstalled, confirm the new fingerprint in the server's settings"
  );
}
