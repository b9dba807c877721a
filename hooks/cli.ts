#!/usr/bin/env node
// Renders custom resources without a cluster: rocketmq-operator render -f cluster.yaml [-o json]
import { readFileSync } from 'node:fs';
import { parseManifests, renderManifests, toYamlStream } from './dry-run.js';

const usage = 'usage: rocketmq-operator render -f <file|-> [-o yaml|json]';

function option(args: string[], ...names: string[]): string | undefined {
  const index = args.findIndex((a) => names.includes(a));
  return index >= 0 ? args[index + 1] : undefined;
}

function main(args: string[]): number {
  const file = option(args, '-f', '--filename');
  const output = option(args, '-o', '--output') ?? 'yaml';
  if (args[0] !== 'render' || !file || !['yaml', 'json'].includes(output)) {
    process.stderr.write(`${usage}\n`);
    return 2;
  }
  const text = readFileSync(file === '-' ? 0 : file, 'utf8');
  const children = renderManifests(parseManifests(text), new Date()).flatMap((r) => r.children);
  process.stdout.write(output === 'json' ? JSON.stringify({ apiVersion: 'v1', kind: 'List', items: children }, null, 2) + '\n' : toYamlStream(children));
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`error: ${(error as Error).message}\n`);
  process.exitCode = 1;
}
