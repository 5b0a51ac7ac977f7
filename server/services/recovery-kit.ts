/** The short id a kit's file name carries, to tell the kits of several keys apart: the public key's first characters. */
export function keyShortId(recipient: string): string {
  return recipient.slice(4, 12);
}

function slug(name: string): string {
  return (
    name
      .normalize("NFKD")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 40) || "organization"
  );
}

export function recoveryKitFileName(organization: string, recipient: string): string {
  return `safehold-recovery-kit-${slug(organization)}-${keyShortId(recipient)}.txt`;
}

/**
 * A recovery kit: the identity file `age-keygen` writes (`# created`, `# public key`, the secret key line), so
 * `age -d -i kit.txt` reads it as it is, with comment lines saying what it is for and how to use it.
 */
export function recoveryKitText(kit: { organization: string; createdAt: Date; recipient: string; identity: string }): string {
  return [
    `# Safehold recovery kit of ${kit.organization.replace(/[\r\n]+/g, " ")}`,
    "# Keep this file offline and private: whoever holds it can read every backup encrypted to this key.",
    "# Decrypt a backup file with the age tool (https://age-encryption.org), without Safehold:",
    "#   age -d -i kit.txt backup-<id>-database.sql.gz.age | gunzip > dump.sql",
    "#   age -d -i kit.txt backup-<id>-filestore.tar.gz.age | tar -xz",
    `# created: ${kit.createdAt.toISOString().replace(/\.\d{3}Z$/, "Z")}`,
    `# public key: ${kit.recipient}`,
    kit.identity,
    "",
  ].join("\n");
}
