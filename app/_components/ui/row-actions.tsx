"use client";

import * as DropdownMenu from "@radix-ui/react-dropdown-menu";
import { MoreHorizontal } from "lucide-react";
import type { ReactNode } from "react";
import { Button } from "./button";

/** Something a row offers: in its ⋯ menu always, and as a button beside it when it is the row's primary action and fits. */
export type RowAction = {
  id: string;
  label: string;
  icon?: ReactNode;
  onSelect: () => void;
  disabled?: boolean;
  /** Why it is disabled, or what it does: shown under a disabled item, and as the inline button's title. */
  hint?: string;
  danger?: boolean;
};

/**
 * Run after the menu has closed and given focus back to its ⋯ button, so a dialog the action opens returns focus
 * there when it closes.
 */
const afterMenuCloses = (action: RowAction) => () => setTimeout(action.onSelect, 0);

/** A row's actions: an optional primary button, then the ⋯ menu (Radix: arrow keys, Enter, Escape, focus returned). */
export function RowActions({ rowLabel, actions, primary }: { rowLabel: string; actions: RowAction[]; primary?: RowAction }) {
  if (actions.length === 0) return null;
  return (
    <div className="flex items-center justify-end gap-1">
      {primary && (
        <Button variant="secondary" size="sm" disabled={primary.disabled} title={primary.hint} onClick={primary.onSelect}>
          {primary.icon}
          {primary.label}
        </Button>
      )}
      <DropdownMenu.Root modal={false}>
        <DropdownMenu.Trigger asChild>
          <button
            type="button"
            aria-label={`Actions for ${rowLabel}`}
            className="rounded-md p-1.5 text-slate-500 hover:bg-slate-100 hover:text-slate-900 focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-brand-600 data-[state=open]:bg-slate-100"
          >
            <MoreHorizontal className="size-4" aria-hidden />
          </button>
        </DropdownMenu.Trigger>
        <DropdownMenu.Portal>
          <DropdownMenu.Content align="end" sideOffset={4} collisionPadding={8} className="z-50 min-w-48 rounded-md bg-white p-1 text-sm shadow-lg ring-1 ring-slate-200">
            {actions.map((action) => (
              <DropdownMenu.Item
                key={action.id}
                disabled={action.disabled}
                onSelect={afterMenuCloses(action)}
                className={`flex cursor-default items-start gap-2 rounded px-2.5 py-1.5 outline-none select-none data-[disabled]:cursor-not-allowed data-[disabled]:text-slate-400 data-[highlighted]:bg-slate-100 ${action.danger ? "text-red-700" : "text-slate-700"}`}
              >
                <span className="mt-0.5 shrink-0 [&>svg]:size-4">{action.icon}</span>
                <span>
                  {action.label}
                  {action.disabled && action.hint && <span className="block max-w-56 text-xs text-slate-400">{action.hint}</span>}
                </span>
              </DropdownMenu.Item>
            ))}
          </DropdownMenu.Content>
        </DropdownMenu.Portal>
      </DropdownMenu.Root>
    </div>
  );
}
