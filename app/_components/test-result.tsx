import { Check, X } from "lucide-react";
import type { ReactNode } from "react";
import { Button } from "./ui/button";
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

/** Closes a test result. */
function DismissButton({ onClick }: { onClick: () => void }) {
  return (
    <button type="button" onClick={onClick} className="shrink-0 rounded p-0.5 opacity-70 hover:opacity-100" aria-label="Dismiss">
      <X className="size-4" aria-hidden />
    </button>
  );
}

/** A test's answer (or the request's own failure) as a full-width row under the table row it tested, dismissable. */
export function TestResultRow({ columns, result, failure, onDismiss }: { columns: number; result: { ok: boolean; message: string } | undefined; failure: { message: string } | null | undefined; onDismiss: () => void }) {
  if (!result && !failure) return null;
  return (
    <tr>
      <td colSpan={columns} className="px-4 pb-3">
        {result ? (
          <TestResult result={result}>
            <DismissButton onClick={onDismiss} />
          </TestResult>
        ) : (
          <Alert tone="danger">
            <div className="flex items-start justify-between gap-3">
              <span>{failure?.message}</span>
              <DismissButton onClick={onDismiss} />
            </div>
          </Alert>
        )}
      </td>
    </tr>
  );
}

/** A value a test suggests writing into one of the plugin's settings once the operator confirms it (e.g. a host key to pin). */
export type PinHint = { field: string; value: string; title: string };

/** The `details.pin` of a test result, when it has a well-formed one. */
export function pinHint(details: Record<string, unknown> | undefined): PinHint | null {
  const pin = details?.pin as Partial<PinHint> | undefined;
  if (typeof pin?.field !== "string" || typeof pin.value !== "string" || typeof pin.title !== "string") return null;
  return { field: pin.field, value: pin.value, title: pin.title };
}

/** Shows a suggested value in full and lets the operator trust it; once the form holds it, says so. */
export function PinSuggestion({ pin, current, onTrust }: { pin: PinHint; current: unknown; onTrust: () => void }) {
  const trusted = current === pin.value;
  const name = pin.title.charAt(0).toLowerCase() + pin.title.slice(1);
  return (
    <div className="rounded-md bg-slate-50 px-4 py-3 text-sm ring-1 ring-slate-200 ring-inset">
      <p className="font-medium text-slate-900">{pin.title}</p>
      <code className="mt-1.5 block rounded bg-white px-2 py-1.5 font-mono text-xs break-all text-slate-800 ring-1 ring-slate-200">{pin.value}</code>
      {trusted ? (
        <p className="mt-2 flex items-center gap-1.5 text-emerald-700" role="status">
          <Check className="size-4" aria-hidden /> Pinned. Save to keep it.
        </p>
      ) : (
        <div className="mt-2 flex flex-wrap items-center justify-between gap-3">
          <p className="text-slate-600">Check it against the server before trusting it.</p>
          <Button size="sm" onClick={onTrust}>Trust this {name}</Button>
        </div>
      )}
    </div>
  );
}
