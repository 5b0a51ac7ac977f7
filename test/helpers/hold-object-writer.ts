/**
 * A worker process in miniature: it takes a location's object-writer lock, says "holding" and waits to be killed
 * (what the lock does when the process holding it dies is what the test checks). Argv: database url, location id.
 */
import { createDb } from "@/server/db";
import { asObjectWriter } from "@/server/filestore/location-lock";

const [url, locationId] = process.argv.slice(2);
const { db } = createDb(url!, { max: 2 });
await asObjectWriter(db, locationId!, async () => {
  process.stdout.write("holding\n");
  await new Promise(() => {});
});
