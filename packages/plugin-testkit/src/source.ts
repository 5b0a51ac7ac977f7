import type { SourceContext, SourceContribution } from "@safehold/plugin-api";
import { describe, expect, it } from "vitest";
import { testContext, testOptions } from "./helpers.js";

export type SourceContractOptions = {
  source: () => SourceContribution | Promise<SourceContribution>;
  /** A context (config + managed server) for a source that works; `log` is filled in when missing. */
  context: () => Omit<SourceContext, "log"> | Promise<Omit<SourceContext, "log">>;
  /** The capabilities the manifest declares for this source. */
  capabilities?: Array<"restore" | "discover">;
  /** Whether backups include files (for sources that have any). Default false. */
  includeFilestore?: boolean;
};

/**
 * The source contract (SourceContribution of @safehold/plugin-api) as vitest cases: testConnection reports ok,
 * a backup yields artifacts that end, declared capabilities are implemented, discovery lists named entries.
 */
export function describeSourceContract(name: string, options: SourceContractOptions): void {
  describe(`source contract: ${name}`, () => {
    const context = async (): Promise<SourceContext> => ({ ...testContext(), ...(await options.context()) });

    it("implements what its capabilities declare", async () => {
      const source = await options.source();
      expect(typeof source.testConnection).toBe("function");
      expect(typeof source.backup).toBe("function");
      for (const capability of options.capabilities ?? []) {
        const methods = capability === "restore" ? ["restore", "discardPreviousCopy"] : ["discover"];
        for (const method of methods) expect(typeof (source as unknown as Record<string, unknown>)[method], method).toBe("function");
      }
    });

    it("tests working settings with ok: true and one sentence", async () => {
      const result = await (await options.source()).testConnection(await context(), testOptions());
      expect(result).toMatchObject({ ok: true, message: expect.any(String) });
      expect(result.message).not.toContain("\n");
    });

    it("backs up: artifacts that each stream to their end, and metadata", async () => {
      const controller = new AbortController();
      const produced = await (await options.source()).backup({ ...(await context()), includeFilestore: options.includeFilestore ?? false, fileLayout: "archive", signal: controller.signal });
      expect(typeof produced.metadata).toBe("object");
      const kinds: string[] = [];
      for await (const artifact of produced.artifacts) {
        kinds.push(artifact.kind);
        expect("stream" in artifact, `${artifact.kind} artifact asked as an archive`).toBe(true);
        if (!("stream" in artifact)) continue;
        let size = 0;
        for await (const chunk of artifact.stream) size += (chunk as Buffer).length;
        expect(size, `${artifact.kind} artifact`).toBeGreaterThan(0);
      }
      expect(kinds[0]).toBe("database");
    }, 300_000);

    it.skipIf(!options.capabilities?.includes("discover"))("discovers entries with a name and the config that completes them", async () => {
      const found = await (await options.source()).discover!(await context());
      expect(Array.isArray(found)).toBe(true);
      for (const entry of found) expect(entry).toMatchObject({ name: expect.any(String), config: expect.any(Object) });
    });
  });
}
