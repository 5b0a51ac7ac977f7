type Closable = { close: () => Promise<unknown> } | { stop: () => Promise<unknown> } | { drop: () => Promise<unknown> };

/**
 * Closes what a test file opened (browsers, consoles, fake servers, test databases), in the order given, each only
 * if it was opened: a set-up that failed half-way leaves some unset. Every one is tried; the first failure is thrown.
 */
export async function closeAll(...things: Array<Closable | undefined>): Promise<void> {
  let failure: unknown;
  for (const thing of things) {
    if (!thing) continue;
    try {
      if ("close" in thing) await thing.close();
      else if ("stop" in thing) await thing.stop();
      else await thing.drop();
    } catch (err) {
      failure ??= err;
    }
  }
  if (failure !== undefined) throw failure;
}
