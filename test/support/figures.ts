// Measured numbers of a slow suite, merged into a JSON file that is not committed (the README quotes
// it) and printed, one line per figure.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

export type Figure = number | string | Record<string, unknown> | Record<string, unknown>[];

function readFigures(file: string): Record<string, Figure> {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, Figure>) : {};
}

/** Sets figure `name` in `file`. */
export function recordFigure(file: string, name: string, value: Figure): void {
  const all = readFigures(file);
  all[name] = value;
  writeFileSync(file, `${JSON.stringify(all, null, 2)}\n`);
  console.log(`figure: ${name} = ${typeof value === 'object' ? JSON.stringify(value) : value}`);
}

/** Appends one run's figures to the list `name` in `file`, keeping the last `keep` runs, so repeated runs give a range. */
export function appendFigure(file: string, name: string, value: Record<string, unknown>, keep = 10): void {
  const previous = readFigures(file)[name];
  recordFigure(file, name, [...(Array.isArray(previous) ? previous : []), value].slice(-keep));
}
