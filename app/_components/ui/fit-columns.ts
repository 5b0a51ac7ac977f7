/** A column as the fitting sees it: how important it is (1 = always shown) and how wide it is drawn. */
export type FitColumn = { id: string; priority: number; width: number };

/** Below this width a table shows each row as a card (label: value) instead of columns. */
export const STACK_BELOW_PX = 640;

export type Fit = { stacked: boolean; visible: Set<string>; inlineAction: boolean };

/**
 * Which columns a table of `available` px shows. Priority-1 columns and the actions menu always; then the inline
 * action when there is room for it; then the others by priority until the next one would not fit (a narrower but
 * less important column never takes the place of a more important one). When even the always-shown columns do not
 * fit, or below STACK_BELOW_PX, rows stack.
 */
export function fitColumns(columns: FitColumn[], available: number, actions: { menu: number; inline: number }): Fit {
  const all = new Set(columns.map((c) => c.id));
  const required = columns.filter((c) => c.priority <= 1);
  let used = required.reduce((sum, c) => sum + c.width, 0) + actions.menu;
  if (available < STACK_BELOW_PX || used > available) return { stacked: true, visible: all, inlineAction: true };
  const inlineAction = actions.inline > 0 && used + actions.inline <= available;
  if (inlineAction) used += actions.inline;
  const visible = new Set(required.map((c) => c.id));
  for (const column of columns.filter((c) => c.priority > 1).sort((a, b) => a.priority - b.priority)) {
    if (used + column.width > available) break;
    visible.add(column.id);
    used += column.width;
  }
  return { stacked: false, visible, inlineAction };
}
