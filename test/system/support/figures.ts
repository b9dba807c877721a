// Measured numbers of the system suite, merged into test/system/figures.json (not committed) and
// printed, one line per figure.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './binaries.js';

const FILE = process.env.SYSTEM_FIGURES_FILE ?? join(repoRoot, 'test/system/figures.json');

export function recordFigure(name: string, value: number | string | Record<string, unknown>): void {
  const all = existsSync(FILE) ? (JSON.parse(readFileSync(FILE, 'utf8')) as Record<string, unknown>) : {};
  all[name] = value;
  writeFileSync(FILE, `${JSON.stringify(all, null, 2)}\n`);
  console.log(`figure: ${name} = ${typeof value === 'object' ? JSON.stringify(value) : value}`);
}
