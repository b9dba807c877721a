#!/usr/bin/env node
// Entry of the runner Jobs: `node dist/hooks/runner/main.js <command> [options]`, the arguments a
// hook rendered with toArgs (hooks/jobs/runner-command.ts).
import { pathToFileURL } from 'node:url';
import { parseArgs, UsageError, type RunnerCommand } from '../jobs/runner-command.js';
import { copyMetadataCommand } from './copy-metadata-command.js';
import type { CommandIo } from './io.js';
import { handOverCommand } from './roles/hand-over.js';
import { observeRolesCommand } from './roles/observe-command.js';
import { setNameServersCommand } from './set-name-servers-command.js';
import { topicTransferCommand } from './transfer/command.js';

/** Exit status 2 for bad arguments, else the command's own. */
export async function runRunner(argv: string[], io: CommandIo): Promise<number> {
  let command: RunnerCommand;
  try {
    command = parseArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr([error.command ? `${error.command}: ${error.message}` : error.message, error.usage].filter(Boolean).join('\n'));
    return 2;
  }
  switch (command.task) {
    case 'copy-metadata':
      return copyMetadataCommand(command, io);
    case 'transfer':
    case 'rollback':
      return topicTransferCommand(command, io);
    case 'set-name-servers':
      return setNameServersCommand(command, io);
    case 'observe-roles':
      return observeRolesCommand(command, io, stopSignal());
    case 'hand-over':
      return handOverCommand(command, io);
  }
}

/** Aborts when the process is asked to stop, so a long-running command ends its round cleanly. */
function stopSignal(): AbortSignal {
  const controller = new AbortController();
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => controller.abort());
  return controller.signal;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const io: CommandIo = { stdout: (line) => process.stdout.write(`${line}\n`), stderr: (line) => process.stderr.write(`${line}\n`) };
  runRunner(process.argv.slice(2), io).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      process.stderr.write(`runner: ${(error as Error).stack ?? String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
