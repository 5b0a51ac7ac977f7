import { and, eq, inArray } from "drizzle-orm";
import type { Db } from "@/server/db";
import { backups } from "@/server/db/schema";

const FLUSH_MS = 1000;

/**
 * A running backup's phase and byte count, written to its row every second together with a heartbeat.
 * When the row has left the running states (deleted, or failed by the stale-backup reaper), `onLost` runs so
 * the backup stops instead of writing to storage for nobody.
 */
export class BackupProgress {
  phase = "starting";
  bytes = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Db,
    private readonly backupId: string,
    private readonly onLost: () => void,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.flush().catch(() => {}), FLUSH_MS);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async setPhase(phase: string): Promise<void> {
    this.phase = phase;
    await this.flush();
  }

  async flush(): Promise<void> {
    const now = new Date();
    const updated = await this.db
      .update(backups)
      .set({ progress: { phase: this.phase, bytes: this.bytes, updatedAt: now.toISOString() }, heartbeatAt: now })
      .where(and(eq(backups.id, this.backupId), inArray(backups.status, ["in_progress", "uploading"])))
      .returning({ id: backups.id });
    if (updated.length === 0) this.onLost();
  }
}
