// Readers for the text mqadmin prints, so its view can be compared with the admin client's.
import type { CommandResult } from '../support/rocketmq.js';

export function expectSuccess(result: CommandResult, what: string): string {
  if (result.code !== 0) throw new Error(`mqadmin ${what} exited with ${result.code}:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/** Rows of a table whose header line starts with '#'; cells are split on runs of spaces. */
export function tableRows(text: string): string[][] {
  const lines = text.split('\n');
  const header = lines.findIndex((l) => l.startsWith('#'));
  if (header < 0) return [];
  const rows: string[][] = [];
  for (const line of lines.slice(header + 1)) {
    if (line.trim() === '') break;
    rows.push(line.trim().split(/\s+/));
  }
  return rows;
}

/** "key = value" blocks of getBrokerConfig / getConsumerConfig, keyed by their "====name====" title. */
export function keyValueSections(text: string): Map<string, Record<string, string>> {
  const sections = new Map<string, Record<string, string>>();
  let current: Record<string, string> | undefined;
  for (const line of text.split('\n')) {
    const title = /^=+([^=]+)=+\s*$/.exec(line);
    if (title) {
      current = {};
      sections.set(title[1].trim(), current);
      continue;
    }
    const pair = /^(\S+)\s+=\s{1,2}(.*)$/.exec(line);
    if (pair && current) current[pair[1]] = pair[2].trim();
  }
  return sections;
}

/** A "Label: value" line such as "Consume Diff Total: 8". */
export function labelledValue(text: string, label: string): string | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${label}:`));
  return line?.slice(label.length + 1).trim();
}
