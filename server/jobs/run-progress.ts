const FLUSH_MS = 1000;

export type ProgressSnapshot = { phase: string; bytes: number; updatedAt: string };

/**
 * A running operation's phase and byte count, written to its row every second together with a heartbeat by
 * `write`, which returns false once the row has left its running state (deleted, or failed by the stale-run
 * reaper). `onLost` then runs, so the operation stops instead of working for nobody.
 */
export class RunProgress {
  phase = "starting";
  bytes = 0;
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
    return { phase, bytes: this.bytes, updatedAt: new Date().toISOString() };
  }

  async flush(): Promise<void> {
    const now = new Date();
    if (!(await this.write(this.snapshot(), now))) this.onLost();
  }
}
