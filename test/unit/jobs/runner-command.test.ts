import fc from 'fast-check';
import { parseArgs, toArgs, UsageError } from '../../../hooks/jobs/runner-command.js';
import { runnerCommand } from './commands.js';

/** The same arguments as people type them: `--option value`. */
const spaced = (args: string[]) =>
  args.flatMap((arg) => (arg.startsWith('--') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg]));

function usageError(argv: string[]): UsageError {
  try {
    parseArgs(argv);
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error(`${JSON.stringify(argv)} was accepted`);
}

// Commands are compared as plain copies: fast-check builds records without Object's prototype.
describe('the runner command line', () => {
  it('reads back every command it writes', () => {
    fc.assert(fc.property(runnerCommand, (command) => expect(parseArgs(toArgs(command))).toStrictEqual({ ...command })));
  });

  it('writes only --option=value, and reads --option value alike', () => {
    fc.assert(
      fc.property(runnerCommand, (command) => {
        const args = toArgs(command);
        expect(args.slice(1).every((arg) => /^--[a-z-]+=/.test(arg))).toBe(true);
        const plain = args.every((arg) => !arg.slice(arg.indexOf('=') + 1).startsWith('--'));
        if (plain) expect(parseArgs(spaced(args))).toStrictEqual({ ...command });
      }),
    );
  });

  it('names the option whose value is not a number it takes', () => {
    const integers = ['timeout-ms', 'attempts', 'backoff-ms', 'batch-size'];
    fc.assert(
      fc.property(fc.constantFrom(...integers), fc.constantFrom('x', '1.5', '-1', '0x'), (flag, bad) => {
        const error = usageError(['copy-metadata', '--source-addr=a:1', '--target-addr=b:1', `--${flag}=${bad}`]);
        expect(error.message).toMatch(new RegExp(`^--${flag} must be an integer of at least [01], got "${bad.replace('.', '\\.')}"$`));
      }),
    );
  });

  it.each([
    [[], /^no command given; commands: copy-metadata, topic-transfer, set-name-servers, observe-roles, hand-over$/],
    [['move-everything'], /^unknown command move-everything;/],
    [['copy-metadata', 'extra'], /^unexpected argument extra$/],
    [['copy-metadata', '--bogus=x'], /^unknown option --bogus$/],
    [['copy-metadata', '--source-addr'], /^option --source-addr needs a value$/],
    [['copy-metadata', '--source-addr', '--target-addr=b:1'], /^option --source-addr needs a value$/],
    [['copy-metadata', '--target-addr=b:1'], /^give --source-broker or --source-addr$/],
    [['copy-metadata', '--source-addr=a:1', '--target-broker='], /^give --target-broker or --target-addr$/],
    [['copy-metadata', '--source-addr=a:1', '--target-broker=b'], /^--namesrv is needed to find brokers by name$/],
    [['set-name-servers', '--broker-addr=b:10911'], /^missing --namesrv$/],
    [['set-name-servers', '--namesrv=n:9876', '--broker-addr=,'], /^give at least one --broker-addr$/],
    [['set-name-servers', '--namesrv=n:9876'], /^missing --broker-addr$/],
    [
      ['topic-transfer', '--mode=transfer', '--name='],
      /^missing --name, --namespace, --namesrv, --topic, --source, --target, --consume-timeout-seconds$/,
    ],
  ])('refuses %j, saying why', (argv, message) => {
    expect(usageError(argv).message).toMatch(message);
  });

  it('tells the command and its usage with an error about its options', () => {
    const error = usageError(['topic-transfer', '--mode=sideways']);
    expect(error).toMatchObject({
      command: 'topic-transfer',
      usage: expect.stringMatching(/^usage: topic-transfer --mode=transfer\|rollback/),
    });
  });

  it('reads a name-server list whole, semicolons included, and the broker addresses as a list', () => {
    const args = toArgs({
      task: 'set-name-servers',
      nameServers: 'a:9876;b:9876',
      brokerAddresses: ['p-0.s.ns.svc:10911', '10.0.0.7:10911'],
    });
    expect(args).toEqual(['set-name-servers', '--namesrv=a:9876;b:9876', '--broker-addr=p-0.s.ns.svc:10911,10.0.0.7:10911']);
    expect(parseArgs(args)).toEqual({
      task: 'set-name-servers',
      nameServers: 'a:9876;b:9876',
      brokerAddresses: ['p-0.s.ns.svc:10911', '10.0.0.7:10911'],
    });
  });

  it('reads a list option split by commas or semicolons, without blanks', () => {
    expect(parseArgs(['copy-metadata', '--namesrv=n:9876', '--source-broker=a', '--target-broker= b ;c,,d'])).toEqual({
      task: 'copy-metadata',
      nameServers: 'n:9876',
      sourceBroker: 'a',
      targetBrokers: ['b', 'c', 'd'],
      targetAddresses: [],
    });
  });
});
