import { z } from "zod";

const FLUSH_MS = 1000;

/**
 * A run's progress as it is stored and as the API gives it. `readingSince`: when the first byte was counted (to the
 * second). A rate is measured from there, not from the run's start: a restore over an environment takes its safety
 * backup before it reads anything.
 */
export const progressOutput = z.object({
  phase: z.string(),
  bytes: z.number(),
  updatedAt: z.string(),
  readingSince: z.string().optional().describe("When the first byte was read: the rate of a run is measured from there"),
});

export type ProgressSnapshot = z.infer<typeof progressOutput>;

/**
 * A running operation's phase and byte count, written to its row every second together with a heartbeat by
 * `write`, which returns false once the row has left its running state (deleted, or failed by the stale-run
 * reaper). `onLost` then runs, so the operation stops instead of working for nobody.
 */
export class RunProgress {
  phase = "starting";
  bytes = 0;
  private readingSince: string | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly write: (snapshot: ProgressSnapshot, heartbeatAt: Date) => Promise<boolean>,
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

  snapshot(phase = this.phase): ProgressSnapshot {
    const updatedAt = new Date().toISOString();
    if (this.bytes > 0) this.readingSince ??= updatedAt;
    return { phase, bytes: this.bytes, updatedAt, ...(this.readingSince ? { readingSince: this.readingSince } : {}) };
  }

  async flush(): Promise<void> {
    const now = new Date();
    if (!(await this.write(this.snapshot(), now))) this.onLost();
  }
}
