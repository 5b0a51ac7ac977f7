import { describe, expect, it } from "vitest";
import { mapFailure } from "@/server/api/error-mapping";
import { ExternalError, NotFoundError, ValidationError } from "@/server/errors";

describe("mapping failures to statuses", () => {
  it("maps domain errors by their code", () => {
    expect(mapFailure(new NotFoundError("Project"))?.code).toBe("NOT_FOUND");
    expect(mapFailure(new ValidationError("bad", { name: "Name it" }))?.code).toBe("UNPROCESSABLE_CONTENT");
    expect(mapFailure(new ExternalError("down"))?.code).toBe("BAD_GATEWAY");
  });

  it("recognises a domain error made by the other copy of the server code (another class, same brand)", () => {
    // What the plugin host's copy (loaded by tsx) throws into Next's copy: not an instance of this copy's classes.
    class ForeignValidationError extends Error {
      readonly code = "validation";
      readonly fields = { provider: "No such provider" };
    }
    const foreign = new ForeignValidationError('Unknown storage provider "nope"');
    Object.defineProperty(foreign, Symbol.for("safehold.domain-error"), { value: true });
    expect(foreign instanceof ValidationError).toBe(false);
    expect(mapFailure(foreign)).toMatchObject({ code: "UNPROCESSABLE_CONTENT", message: 'Unknown storage provider "nope"' });
  });

  it("maps a unique violation, however wrapped, to a conflict, and leaves other errors alone", () => {
    const driver = Object.assign(new Error("duplicate key value violates unique constraint"), { code: "23505" });
    const wrapped = new Error("Failed query", { cause: driver });
    expect(mapFailure(wrapped)?.code).toBe("CONFLICT");
    expect(mapFailure(new Error("boom"))).toBeNull();
    expect(mapFailure(Object.assign(new Error("x"), { code: "validation" }))).toBeNull();
  });
});
