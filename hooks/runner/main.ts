#!/usr/bin/env node
// Entry of the runner Jobs: `node dist/hooks/runner/main.js <command> [options]`.
import { pathToFileURL } from 'node:url';
import { copyMetadataCommand, copyMetadataUsage, type CommandIo } from './copy-metadata-command.js';
import { topicTransferCommand, topicTransferUsage } from './transfer/command.js';

const commands: Record<string, { run: (argv: string[], io: CommandIo) => Promise<number>; usage: string }> = {
  'copy-metadata': { run: copyMetadataCommand, usage: copyMetadataUsage },
  'topic-transfer': { run: topicTransferCommand, usage: topicTransferUsage },
};

export async function runRunner(argv: string[], io: CommandIo): Promise<number> {
  const [name, ...rest] = argv;
  const command = name ? commands[name] : undefined;
  if (!command) {
    io.stderr(`${name ? `unknown command ${name}` : 'no command given'}; commands: ${Object.keys(commands).join(', ')}`);
    return 2;
  }
  return command.run(rest, io);
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
