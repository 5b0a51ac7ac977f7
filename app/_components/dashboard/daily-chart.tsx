import { Card } from "@/app/_components/ui/layout";
import { formatDay } from "@/app/_lib/format";
import type { Dashboard } from "./types";

/** A round top for the chart's scale (its half is round too), at least the highest day. */
function niceMax(value: number): number {
  if (value <= 4) return 4;
  const power = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 4, 6, 8, 10].map((m) => m * power).find((n) => n >= value) ?? 10 * power;
}

/** Completed and failed backups per day over the last 30 days: stacked bars, each with its own label. */
export function DailyChart({ daily }: { daily: Dashboard["daily"] }) {
  const top = niceMax(Math.max(...daily.map((d) => d.completed + d.failed), 0));
  const totals = daily.reduce((sum, d) => ({ completed: sum.completed + d.completed, failed: sum.failed + d.failed }), { completed: 0, failed: 0 });
  const pct = (n: number) => `${(n / top) * 100}%`;
  const ticks = [top, top / 2, 0];
  return (
    <Card
      title="Backups per day"
      description={`Last 30 days (UTC days): ${totals.completed.toLocaleString()} completed, ${totals.failed.toLocaleString()} failed.`}
    >
      <figure>
        <div className="flex gap-2">
          <div className="relative h-44 w-10 shrink-0 text-right text-[11px] text-slate-400 tabular-nums" aria-hidden>
            {ticks.map((t, i) => (
              <span key={t} className="absolute right-0 -translate-y-1/2" style={{ top: `${(i / (ticks.length - 1)) * 100}%` }}>
                {t.toLocaleString()}
              </span>
            ))}
          </div>
          <div className="relative h-44 flex-1">
            {ticks.map((t, i) => (
              <div key={t} className="absolute inset-x-0 border-t border-dashed border-slate-200" style={{ top: `${(i / (ticks.length - 1)) * 100}%` }} aria-hidden />
            ))}
            <div className="relative flex h-full items-end gap-[3px]" role="group" aria-label="Completed and failed backups per day">
              {daily.map((d) => {
                const label = `${formatDay(d.day)}: ${d.completed.toLocaleString()} completed, ${d.failed.toLocaleString()} failed`;
                return (
                  <div key={d.day} className="flex h-full min-w-0 flex-1 flex-col justify-end rounded-t-sm hover:bg-slate-100" title={label} role="img" aria-label={label} data-day={d.day}>
                    {d.failed > 0 && <div className="rounded-t-sm bg-red-500" style={{ height: pct(d.failed) }} />}
                    {d.completed > 0 && <div className={`bg-emerald-500 ${d.failed > 0 ? "" : "rounded-t-sm"}`} style={{ height: pct(d.completed) }} />}
                    {d.completed + d.failed === 0 && <div className="h-px bg-slate-300" />}
                  </div>
                );
              })}
            </div>
          </div>
        </div>
        <div className="mt-2 ml-12 flex justify-between text-[11px] text-slate-500" aria-hidden>
          <span>{formatDay(daily[0]!.day)}</span>
          <span>{formatDay(daily[Math.floor(daily.length / 2)]!.day)}</span>
          <span>Today</span>
        </div>
        <figcaption className="mt-4 flex items-center gap-4 text-xs text-slate-600">
          <span className="flex items-center gap-1.5">
            <span className="size-2.5 rounded-sm bg-emerald-500" aria-hidden /> Completed
          </span>
          <span className="flex items-center gap-1.5">
            <span className="size-2.5 rounded-sm bg-red-500" aria-hidden /> Failed
          </span>
        </figcaption>
      </figure>
    </Card>
  );
}
