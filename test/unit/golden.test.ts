// Golden replies: what every file in example/ renders, reviewed and kept under test/golden/. A change in
// rendering shows here as a diff to read; when it is intended, rewrite the files with UPDATE_GOLDEN=1.
//   <example>.yaml         the children of the file's resources, as `rocketmq-operator render` prints them
//   <example>.status.yaml  the status each resource in the file gets on its first sync
// An example without a NameService of its own is rendered as in a namespace where example/nameservice.yaml
// was applied (and a Proxy without its Broker as where example/broker.yaml was), as its comments say (the CLI prints the same after the NameService's children when given
// both files as one stream, separated by ---).
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { parseManifests, renderManifests, toYamlStream } from '../../hooks/dry-run.js';
import { packageRoot } from '../../hooks/schema/crds.js';

const root = packageRoot();
const exampleDir = join(root, 'example');
const goldenDir = join(root, 'test', 'golden');
const update = process.env.UPDATE_GOLDEN === '1';
/** A fixed clock, so status times are the same on every run. */
const NOW = new Date('2026-01-01T00:00:00Z');

const examples = readdirSync(exampleDir)
  .filter((file) => file.endsWith('.yaml'))
  .sort()
  .map((file) => file.replace(/\.yaml$/, ''));

const manifests = (example: string) => parseManifests(readFileSync(join(exampleDir, `${example}.yaml`), 'utf8'));

function rendered(example: string): Record<string, string> {
  const own = manifests(example);
  const lacks = (kind: string) => !own.some((o) => o.kind === kind);
  const context = [
    ...(lacks('NameService') ? manifests('nameservice') : []),
    ...(lacks('Proxy') || !lacks('Broker') ? [] : manifests('broker')),
  ];
  const resources = renderManifests([...own, ...context], NOW).filter((r) => own.includes(r.parent));
  const statuses = Object.fromEntries(resources.map((r) => [`${r.parent.kind}/${r.parent.metadata.name}`, r.status]));
  return {
    [`${example}.yaml`]: toYamlStream(resources.flatMap((r) => r.children)),
    [`${example}.status.yaml`]: stringify(statuses, { lineWidth: 0, aliasDuplicateObjects: false }),
  };
}

function expectGolden(file: string, actual: string): void {
  const path = join(goldenDir, file);
  if (update) {
    mkdirSync(goldenDir, { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  const hint =
    `test/golden/${file} differs from what the example renders now. Review the difference; if it is intended, ` +
    'rewrite the golden files with UPDATE_GOLDEN=1 NODE_OPTIONS=--experimental-vm-modules npx jest test/unit/golden and commit them.';
  if (!existsSync(path)) throw new Error(`test/golden/${file} is missing. ${hint}`);
  try {
    expect(actual).toBe(readFileSync(path, 'utf8'));
  } catch (error) {
    (error as Error).message = `${hint}\n\n${(error as Error).message}`;
    throw error;
  }
}

describe('golden replies of the examples', () => {
  it('has an example to render', () => {
    expect(examples.length).toBeGreaterThan(0);
  });

  describe.each(examples)('example/%s.yaml', (example) => {
    it('renders exactly the reviewed children and status', () => {
      for (const [file, text] of Object.entries(rendered(example))) expectGolden(file, text);
    });
  });

  it('keeps no golden file whose example is gone', () => {
    const expected = examples.flatMap((example) => [`${example}.yaml`, `${example}.status.yaml`]);
    const stale = existsSync(goldenDir) ? readdirSync(goldenDir).filter((file) => !expected.includes(file)) : [];
    expect(stale).toEqual([]);
  });
});
