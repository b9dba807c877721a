#!/usr/bin/env node
// Renders custom resources without a cluster: rocketmq-operator render -f cluster.yaml [-o json];
// and moves a namespace from the original operator: rocketmq-operator migrate -n <namespace> [--apply]
import { readFileSync } from 'node:fs';
import { parseManifests, renderManifests, toYamlStream } from './dry-run.js';
import { MIGRATE_USAGE, runMigrate } from './migrate/main.js';

const usage = `usage: rocketmq-operator render -f <file|-> [-o yaml|json]\n       ${MIGRATE_USAGE.replace('usage: ', '')}`;

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
  const rendered = renderManifests(parseManifests(text), new Date());
  const children = rendered.flatMap((r) => r.children);
  // What renders is printed even when another resource of the file does not.
  process.stdout.write(
    output === 'json' ? JSON.stringify({ apiVersion: 'v1', kind: 'List', items: children }, null, 2) + '\n' : toYamlStream(children),
  );
  for (const warning of rendered.flatMap((r) => r.warnings)) process.stderr.write(`warning: ${warning}\n`);
  const failures = rendered.flatMap((r) => (r.error ? [r.error] : []));
  for (const failure of failures) process.stderr.write(`error: ${failure.message}\n`);
  return failures.length > 0 ? 1 : 0;
}

const args = process.argv.slice(2);
if (args[0] === 'migrate') {
  process.exitCode = await runMigrate(
    args.slice(1),
    (line) => process.stdout.write(`${line}\n`),
    (line) => process.stderr.write(`${line}\n`),
  );
} else {
  try {
    process.exitCode = main(args);
  } catch (error) {
    process.stderr.write(`error: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}
