import { Input } from "@/app/_components/ui/field";

/** From and To dates (inclusive), each bounding the other. */
export function DateRangeFilter({ from, to, onChange, className }: { from?: string; to?: string; onChange: (patch: { from?: string; to?: string }) => void; className: string }) {
  return (
    <>
      <label className="flex items-center gap-2 text-sm text-slate-600">
        From
        <Input type="date" className={className} value={from ?? ""} max={to} onChange={(e) => onChange({ from: e.target.value || undefined })} />
      </label>
      <label className="flex items-center gap-2 text-sm text-slate-600">
        To
        <Input type="date" className={className} value={to ?? ""} min={from} onChange={(e) => onChange({ to: e.target.value || undefined })} />
      </label>
    </>
  );
}
