import { isValidationError, ValidationError } from "@/server/errors";

/**
 * Runs checks that may each throw a ValidationError and reports them together, so a form shows every field's
 * error at once instead of one per attempt. Any other error is thrown as it comes.
 */
export class FieldErrors {
  private readonly errors: ValidationError[] = [];

  add(error: ValidationError): void {
    this.errors.push(error);
  }

  /** The check's result, or undefined when it failed validation (recorded for `throwIfAny`). */
  async check<T>(run: () => T | Promise<T>): Promise<T | undefined> {
    try {
      return await run();
    } catch (err) {
      if (!isValidationError(err)) throw err;
      this.errors.push(err);
      return undefined;
    }
  }

  get failed(): boolean {
    return this.errors.length > 0;
  }

  /** One ValidationError with every field (the first message for a field wins) and every sentence. */
  throwIfAny(): void {
    if (this.errors.length === 0) return;
    if (this.errors.length === 1) throw this.errors[0]!;
    const fields: Record<string, string> = {};
    for (const error of this.errors) for (const [path, message] of Object.entries(error.fields)) fields[path] ??= message;
    throw new ValidationError(this.errors.map((e) => e.message.replace(/\.$/, "")).join("; "), fields);
  }
}
