import { openString, sealString, SecretBoxError, type Sealed } from "@/server/crypto/secret-box";
import { currentMasterKey, keyIdOf } from "@/server/crypto/secret-key";
import { StoredSecretError } from "@/server/errors";

/**
 * The one way secrets are stored: sealed for their place (table, column and row id, authenticated as AES-GCM
 * associated data), so a sealed value copied to another row or column does not open there. Callers name a
 * column of SEALED_COLUMNS and a row id; nobody else builds associated data.
 */
export type SealedColumn<T> = {
  table: string;
  column: string;
  idColumn: string;
  encode(value: T): string;
  decode(text: string): T;
};

type SecretRecord = Record<string, unknown>;

const jsonColumn = (table: string, column: string): SealedColumn<SecretRecord> => ({
  table,
  column,
  idColumn: "id",
  encode: (value) => JSON.stringify(value),
  decode: (text) => JSON.parse(text) as SecretRecord,
});

const textColumn = (table: string, column: string): SealedColumn<string> => ({ table, column, idColumn: "id", encode: (value) => value, decode: (text) => text });

/**
 * Every sealed column, by database name: what is sealed where, and what `safehold secrets rotate-key` (and the
 * v1 upgrade at start) walks. A new sealed column is one line here.
 */
export const SEALED_COLUMNS = {
  environmentSourceSecrets: jsonColumn("environments", "source_secrets"),
  serverSecrets: jsonColumn("servers", "secrets"),
  storageLocationSecrets: jsonColumn("storage_locations", "secrets"),
  notificationChannelSecrets: jsonColumn("notification_channels", "secrets"),
  retiredKey: textColumn("retired_keys", "key"),
  userTotpSecret: textColumn("users", "totp_secret"),
  organizationKeyIdentity: textColumn("organization_keys", "identity"),
};

function associatedData(column: { table: string; column: string }, rowId: string): string {
  return `safehold/sealed/${column.table}.${column.column}/${rowId}`;
}

/** `value` sealed for row `rowId` of `column` (rows get their id before insert, so it can be sealed for them). */
export function sealSecret<T>(column: SealedColumn<T>, rowId: string, value: T, master: Buffer = currentMasterKey()): Sealed {
  return sealString(master, column.encode(value), associatedData(column, rowId));
}

/**
 * The value sealed for row `rowId` of `column`. Throws StoredSecretError naming the place when it was written with
 * another key or sealed for another place. `keyHolder` names the key in that message.
 */
export function openSecret<T>(column: SealedColumn<T>, rowId: string, sealed: string, master: Buffer = currentMasterKey(), keyHolder = "this console has"): T {
  const place = `The secret in ${column.table}.${column.column} of row ${rowId}`;
  try {
    return column.decode(openString(master, sealed, associatedData(column, rowId)));
  } catch (err) {
    if (!(err instanceof SecretBoxError)) throw err;
    const { failure } = err;
    if (failure.reason === "other-key") {
      const written = failure.writtenWith ? `key ${failure.writtenWith}` : "another key (v1 format, no key id)";
      throw new StoredSecretError(`${place} was written with ${written}, ${keyHolder} ${keyIdOf(master)}: start the console with the SAFEHOLD_SECRET_KEY (or data/secret.key) it was written with`);
    }
    if (failure.reason === "binding") {
      throw new StoredSecretError(`${place} does not belong to this row and column: it was sealed for another place (copied in the database) or altered; refusing to use it. Save these settings again with their secrets.`);
    }
    throw new StoredSecretError(`${place} is not a sealed value`);
  }
}
