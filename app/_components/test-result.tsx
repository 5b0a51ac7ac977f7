import type { ReactNode } from "react";
import { Alert } from "./ui/layout";

/** What "Test connection" answered: green (role="status") when it worked, red (role="alert") when not. */
export function TestResult({ result, children }: { result: { ok: boolean; message: string } | undefined; children?: ReactNode }) {
  if (!result) return null;
  return (
    <Alert tone={result.ok ? "success" : "danger"}>
      <div className="flex items-start justify-between gap-3">
        <span className="break-words">{result.message}</span>
        {children}
      </div>
    </Alert>
  );
}
