// A small "--name value" / "--name=value" option reader for the runner's commands.

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface ParsedArgs {
  options: Map<string, string>;
  positional: string[];
}

export function parseArgs(args: string[], known: readonly string[]): ParsedArgs {
  const options = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const equals = arg.indexOf('=');
    const name = equals > 0 ? arg.slice(2, equals) : arg.slice(2);
    if (!known.includes(name)) throw new UsageError(`unknown option --${name}`);
    const value = equals > 0 ? arg.slice(equals + 1) : args[++i];
    if (value === undefined || (equals < 0 && value.startsWith('--'))) throw new UsageError(`option --${name} needs a value`);
    options.set(name, value);
  }
  return { options, positional };
}

/** Values of a list option: "a,b" or "a;b". */
export function listOption(args: ParsedArgs, name: string): string[] {
  return (args.options.get(name) ?? '')
    .split(/[,;]/)
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

export function numberOption(args: ParsedArgs, name: string, fallback: number, min = 1): number {
  const raw = args.options.get(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new UsageError(`--${name} must be an integer of at least ${min}, got ${JSON.stringify(raw)}`);
  return value;
}
