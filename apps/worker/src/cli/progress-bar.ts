import type { TaskStatus } from '@sluice/runtime';

type TaskProgress = NonNullable<TaskStatus['progress']>;

const BAR_WIDTH = 24;
const count = (n: number): string => n.toLocaleString('en-US');

/** A task's progress as text lines: its phase, then one bar per item (a count when the total is unknown). */
export function progressLines(progress: TaskProgress, indentBy = 4): string[] {
  const pad = ' '.repeat(indentBy);
  const nameWidth = Math.max(0, ...progress.items.map((i) => i.name.length));
  const lines = [`${pad}${progress.phase}:`];
  for (const item of progress.items) {
    const name = item.name.padEnd(nameWidth);
    if (item.total === null || item.total < 0) {
      lines.push(`${pad}  ${name}  ${count(item.done)} done (total unknown)`);
      continue;
    }
    const fraction = item.total === 0 ? 1 : Math.min(1, Math.max(0, item.done / item.total));
    const filled = Math.round(fraction * BAR_WIDTH);
    const bar = `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`;
    const percent = `${(fraction * 100).toFixed(1)}%`.padStart(6);
    lines.push(`${pad}  ${name}  ${bar} ${percent}  ${count(item.done)}/${count(item.total)}`);
  }
  return lines;
}
