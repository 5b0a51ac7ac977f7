import type { SourceArtifact } from "@safehold/plugin-api";

/**
 * The artifacts of an import as the zip reader finds them, handed out one at a time: the reader runs ahead on its
 * own (it feeds the filestore tar while the console reads it) and the console pulls the next when one has ended.
 */
export class ArtifactQueue implements AsyncIterable<SourceArtifact> {
  private readonly items: SourceArtifact[] = [];
  private ended = false;
  private error: Error | null = null;
  private wake: (() => void) | null = null;

  push(artifact: SourceArtifact): void {
    this.items.push(artifact);
    this.notify();
  }

  end(): void {
    this.ended = true;
    this.notify();
  }

  fail(error: Error): void {
    this.error = error;
    this.notify();
  }

  private notify(): void {
    this.wake?.();
    this.wake = null;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<SourceArtifact> {
    for (;;) {
      if (this.error) throw this.error;
      const next = this.items.shift();
      if (next) {
        yield next;
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}
