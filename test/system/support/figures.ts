// Measured numbers of the system suite, merged into test/system/figures.json (not committed) and
// printed, one line per figure.
import { join } from 'node:path';
import { type Figure, recordFigure as recordIn } from '../../support/figures.js';
import { repoRoot } from './binaries.js';

const FILE = process.env.SYSTEM_FIGURES_FILE ?? join(repoRoot, 'test/system/figures.json');

export function recordFigure(name: string, value: Figure): void {
  recordIn(FILE, name, value);
}
