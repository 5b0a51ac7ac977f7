import { withDatabase } from "./with-database";

export async function migrateCommand(): Promise<void> {
  await withDatabase(async () => {});
  console.log("Database is up to date");
}
