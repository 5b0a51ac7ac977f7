import type { Db } from "@/server/db";

/*
 * Writers and the sweep of a location's filestore objects exclude each other through a PostgreSQL session advisory
 * lock on a connection held for the whole operation: writers (a backup storing or referencing objects, a copy
 * writing them into a location) share it, the sweep takes it alone. A worker that dies loses its connection, and the
 * lock with it, so nothing is ever left locked.
 */

/** The advisory lock space of filestore locations (the first key; the second is the location id's hash). */
const LOCK_SPACE = 0x5afe0b1;

type Reserved = Awaited<ReturnType<Db["$client"]["reserve"]>>;

async function holding<T>(db: Db, take: (conn: Reserved) => Promise<boolean>, fn: () => Promise<T>): Promise<T | null> {
  const conn = await db.$client.reserve();
  try {
    if (!(await take(conn))) return null;
    try {
      return await fn();
    } finally {
      await conn`select pg_advisory_unlock_all()`;
    }
  } finally {
    conn.release();
  }
}

/**
 * Runs `fn` as a writer of `locationId`'s objects: it waits while a sweep of the location runs, and no sweep starts
 * until it returns. Every object a writer relies on must be referenced (`backup_filestore_objects`) before it returns.
 */
export async function asObjectWriter<T>(db: Db, locationId: string, fn: () => Promise<T>): Promise<T> {
  const result = await holding(
    db,
    async (conn) => {
      await conn`select pg_advisory_lock_shared(${LOCK_SPACE}, hashtext(${locationId}))`;
      return true;
    },
    async () => ({ value: await fn() }),
  );
  return result!.value;
}

/** Runs `fn` as the only user of `locationId`'s objects, or returns null at once when a writer (or another sweep) holds them. */
export async function asObjectSweeper<T>(db: Db, locationId: string, fn: () => Promise<T>): Promise<{ value: T } | null> {
  return await holding(
    db,
    async (conn) => {
      const [row] = await conn<{ locked: boolean }[]>`select pg_try_advisory_lock(${LOCK_SPACE}, hashtext(${locationId})) as locked`;
      return row?.locked === true;
    },
    async () => ({ value: await fn() }),
  );
}
