"use client";

import { flexRender, getCoreRowModel, useReactTable, type ColumnDef, type Row } from "@tanstack/react-table";
import { Fragment, useMemo, type ReactNode } from "react";
import { fitColumns } from "./fit-columns";
import { RowActions, type RowAction } from "./row-actions";
import { useElementWidth } from "./use-element-width";

/**
 * A column: `priority` 1 is always shown; as the table narrows, higher numbers drop first and their content folds
 * into the first column as a labelled line, so nothing is lost. `width` is how wide it is drawn (px); the first
 * column takes what is left beyond its own `width`.
 */
export type DataColumn<T> = {
  id: string;
  header: string;
  cell: (row: T) => ReactNode;
  priority: number;
  width: number;
  className?: string;
};

export type { RowAction };

/** A row's own class (a failed row tinted) and data attributes (for tests and styles). */
type RowAttributes = { className?: string } & Record<`data-${string}`, string | undefined>;

export type DataTableProps<T> = {
  /** What the table lists, for assistive technology ("Backups"). */
  label: string;
  data: T[];
  columns: DataColumn<T>[];
  rowKey: (row: T) => string;
  /** Names the row in its actions' labels ("backup of Dec 7, 10:02"). */
  rowLabel: (row: T) => string;
  actions?: (row: T) => RowAction[];
  /** The action shown as a button beside the menu when there is room. */
  primaryAction?: (row: T) => RowAction | undefined;
  /** Width kept for the primary button (px) when one is shown. */
  primaryWidth?: number;
  rowAttributes?: (row: T) => RowAttributes;
  /** Shown under the row across the table's width (e.g. a log unfolded). */
  detail?: (row: T) => ReactNode;
};

const MENU_WIDTH = 52;
const CELL = "px-4 py-3 align-top break-words";

function Folded<T>({ row, hidden }: { row: T; hidden: DataColumn<T>[] }) {
  if (hidden.length === 0) return null;
  return (
    <dl className="mt-1.5 space-y-1 text-xs text-slate-500">
      {hidden.map((column) => (
        <div key={column.id} className="flex flex-wrap items-baseline gap-x-1.5" data-folded={column.id}>
          <dt className="font-medium text-slate-400">{column.header}</dt>
          <dd className="min-w-0 text-slate-600">{column.cell(row)}</dd>
        </div>
      ))}
    </dl>
  );
}

/**
 * A table that fits its container: columns drop by priority as it narrows (ResizeObserver), rows stack as cards
 * below ~640 px, the header sticks while the page scrolls, and every row's actions stay in view at its right.
 */
export function DataTable<T>({ label, data, columns, rowKey, rowLabel, actions, primaryAction, primaryWidth = 104, rowAttributes, detail }: DataTableProps<T>) {
  const { ref, width } = useElementWidth<HTMLDivElement>();
  const hasActions = Boolean(actions);
  const fit = useMemo(
    () => fitColumns(columns, width ?? Number.POSITIVE_INFINITY, { menu: hasActions ? MENU_WIDTH : 0, inline: primaryAction ? primaryWidth : 0 }),
    [columns, width, hasActions, primaryAction, primaryWidth],
  );
  const defs = useMemo<ColumnDef<T>[]>(() => columns.map((c) => ({ id: c.id, header: c.header, cell: ({ row }: { row: Row<T> }) => c.cell(row.original) })), [columns]);
  const columnVisibility = useMemo(() => Object.fromEntries(columns.map((c) => [c.id, fit.visible.has(c.id)])), [columns, fit]);
  // The table instance is read during this render only and never handed to memoized children.
  // eslint-disable-next-line react-hooks/incompatible-library
  const table = useReactTable({ data, columns: defs, getRowId: rowKey, getCoreRowModel: getCoreRowModel(), state: { columnVisibility } });
  const [first, ...rest] = columns;
  const hidden = rest.filter((c) => !fit.visible.has(c.id));
  const byId = new Map(columns.map((c) => [c.id, c]));
  const actionsOf = (row: T) => {
    const list = actions?.(row) ?? [];
    const primary = fit.inlineAction ? primaryAction?.(row) : undefined;
    return <RowActions rowLabel={rowLabel(row)} actions={list} primary={primary} />;
  };

  if (fit.stacked) {
    return (
      <div ref={ref}>
        <ul aria-label={label} className="divide-y divide-slate-100">
          {table.getRowModel().rows.map((row) => {
            const { className = "", ...attributes } = rowAttributes?.(row.original) ?? {};
            return (
              <li key={row.id} className={`px-4 py-3 text-sm text-slate-700 ${className}`} {...attributes}>
                <div className="flex items-start justify-between gap-3">
                  <div className="min-w-0 flex-1 break-words">{first?.cell(row.original)}</div>
                  {hasActions && <div className="shrink-0">{actionsOf(row.original)}</div>}
                </div>
                <dl className="mt-2 grid grid-cols-[minmax(5rem,auto)_1fr] gap-x-3 gap-y-1.5">
                  {rest.map((column) => (
                    <Fragment key={column.id}>
                      <dt className="text-xs font-medium text-slate-500">{column.header}</dt>
                      <dd className="min-w-0 break-words">{column.cell(row.original)}</dd>
                    </Fragment>
                  ))}
                </dl>
                {detail?.(row.original)}
              </li>
            );
          })}
        </ul>
      </div>
    );
  }

  const visibleCount = table.getVisibleLeafColumns().length + (hasActions ? 1 : 0);
  const actionsWidth = MENU_WIDTH + (fit.inlineAction && primaryAction ? primaryWidth : 0);
  return (
    <div ref={ref}>
      <table aria-label={label} className="w-full table-fixed text-sm text-slate-700">
        <colgroup>
          {table.getVisibleLeafColumns().map((column, index) => (
            <col key={column.id} style={index === 0 ? undefined : { width: byId.get(column.id)!.width }} />
          ))}
          {hasActions && <col style={{ width: actionsWidth }} />}
        </colgroup>
        <thead>
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id}>
              {group.headers.map((header) => (
                <th key={header.id} scope="col" className="sticky top-0 z-10 border-b border-slate-200 bg-slate-50 px-4 py-2.5 text-left text-xs font-semibold tracking-wide text-slate-500 uppercase">
                  {flexRender(header.column.columnDef.header, header.getContext())}
                </th>
              ))}
              {hasActions && (
                <th scope="col" className="sticky top-0 z-10 border-b border-slate-200 bg-slate-50 px-4 py-2.5">
                  <span className="sr-only">Actions</span>
                </th>
              )}
            </tr>
          ))}
        </thead>
        <tbody className="divide-y divide-slate-100">
          {table.getRowModel().rows.map((row) => {
            const extra = detail?.(row.original);
            return (
              <Fragment key={row.id}>
                <tr {...rowAttributes?.(row.original)}>
                  {row.getVisibleCells().map((cell, index) => (
                    <td key={cell.id} className={`${CELL} ${byId.get(cell.column.id)?.className ?? ""}`}>
                      {flexRender(cell.column.columnDef.cell, cell.getContext())}
                      {index === 0 && <Folded row={row.original} hidden={hidden} />}
                    </td>
                  ))}
                  {hasActions && <td className="px-3 py-2.5 align-top">{actionsOf(row.original)}</td>}
                </tr>
                {extra && (
                  <tr>
                    <td colSpan={visibleCount} className="px-4 pb-4">
                      {extra}
                    </td>
                  </tr>
                )}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
