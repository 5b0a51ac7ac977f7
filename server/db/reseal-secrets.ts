import { sql } from "drizzle-orm";
import { currentMasterKey } from "@/server/crypto/secret-key";
import type { DbOrTx } from "@/server/db";
import { openSecret, SEALED_COLUMNS, sealSecret, type SealedColumn } from "@/server/db/sealed-columns";
import { isDomainError } from "@/server/errors";

type StoredValue = { id: string; value: string };

function placeOf(column: SealedColumn<unknown>): string {
  return `${column.table}.${column.column}`;
}

/** The values of a sealed column (all, or only those of the v1 format), their rows locked until the transaction ends. */
async function lockValues(tx: DbOrTx, column: SealedColumn<unknown>, which: "all" | "unbound"): Promise<StoredValue[]> {
  const value = sql.identifier(column.column);
  return tx.execute<StoredValue>(sql`
    select ${sql.identifier(column.idColumn)}::text as id, ${value} as value
    from ${sql.identifier(column.table)}
    where ${value} is not null ${which === "unbound" ? sql`and ${value} like 'v1.%'` : sql``}
    for update`);
}

async function store(tx: DbOrTx, column: SealedColumn<unknown>, rowId: string, sealed: string): Promise<void> {
  await tx.execute(sql`update ${sql.identifier(column.table)} set ${sql.identifier(column.column)} = ${sealed} where ${sql.identifier(column.idColumn)}::text = ${rowId}`);
}

/** `value` sealed again for its place under `to`, after checking that the new value opens to the same content. */
function resealed(column: SealedColumn<unknown>, rowId: string, value: unknown, to: Buffer): string {
  const sealed = sealSecret(column, rowId, value, to);
  if (column.encode(openSecret(column, rowId, sealed, to)) !== column.encode(value)) throw new Error(`Re-encrypting ${placeOf(column)} of row ${rowId} did not give back the same value`);
  return sealed;
}

/**
 * Re-seals every value of every sealed column under the master key `to`: each is opened with `from` for its own
 * place (v1 values too), sealed for that place with `to`, and checked. Any value that `from` does not open stops
 * it (the caller's transaction then rolls back). Returns how many values each column held.
 */
export async function resealAll(tx: DbOrTx, from: Buffer, to: Buffer): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const column of Object.values(SEALED_COLUMNS) as SealedColumn<unknown>[]) {
    const rows = await lockValues(tx, column, "all");
    for (const row of rows) {
      const value = openSecret(column, row.id, row.value, from, "the old key given is");
      await store(tx, column, row.id, resealed(column, row.id, value, to));
    }
    counts[placeOf(column)] = rows.length;
  }
  return counts;
}

/**
 * Rewrites values still in the unbound v1 format as v2 (bound to their place, with the key id), under this
 * console's key, in one transaction. A v1 value this key does not open is left as it is and reported: using it
 * fails the same way, with its place named.
 */
export async function upgradeUnboundSecrets(db: DbOrTx, log: (line: string) => void): Promise<void> {
  const master = currentMasterKey();
  const upgraded = await db.transaction(async (tx) => {
    let count = 0;
    for (const column of Object.values(SEALED_COLUMNS) as SealedColumn<unknown>[]) {
      for (const row of await lockValues(tx, column, "unbound")) {
        try {
          await store(tx, column, row.id, resealed(column, row.id, openSecret(column, row.id, row.value, master), master));
          count += 1;
        } catch (err) {
          if (!isDomainError(err, "stored_secret")) throw err;
          log(`Warning: ${err.message}`);
        }
      }
    }
    return count;
  });
  if (upgraded > 0) log(`Sealed ${upgraded} stored secret(s) of the older v1 format for their row and column (v2)`);
}
