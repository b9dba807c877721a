// The command-line renderer, run as a user runs it: the compiled CLI (npm test builds it first).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { packageRoot } from '../../hooks/schema/crds.js';

const root = packageRoot();
const cli = (args: string[], input?: string) =>
  spawnSync(process.execPath, [join(root, 'dist', 'hooks', 'cli.js'), ...args], { cwd: root, input, encoding: 'utf8' });

describe('rocketmq-operator render', () => {
  it('renders a whole cluster file as YAML, related objects taken from the same file', () => {
    const result = cli(['render', '-f', 'example/cluster.yaml']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const kinds = parseAllDocuments(result.stdout).map((d) => (d.toJS() as { kind: string }).kind);
    expect(kinds).toEqual(expect.arrayContaining(['StatefulSet', 'Service', 'ConfigMap', 'PodDisruptionBudget', 'Deployment']));
  });

  it('reads standard input and prints a JSON List', () => {
    const result = cli(
      ['render', '-f', '-', '-o', 'json'],
      'apiVersion: rocketmq.apache.org/v1alpha1\nkind: NameService\nmetadata: {name: ns}\nspec: {size: 2}\n',
    );
    expect(result.status).toBe(0);
    const list = JSON.parse(result.stdout);
    expect(list.items.map((i: { kind: string; metadata: { name: string } }) => `${i.kind}/${i.metadata.name}`)).toEqual([
      'Service/ns',
      'StatefulSet/ns',
      'PodDisruptionBudget/ns',
    ]);
  });

  it('exits 1 naming each failing field of an invalid resource', () => {
    const result = cli(
      ['render', '-f', '-'],
      'apiVersion: rocketmq.apache.org/v1alpha1\nkind: NameService\nmetadata: {name: ns}\nspec: {size: 0}\n',
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/NameService ns is invalid: spec.size: must be >= 1/);
  });

  it('warns about fields the CRD does not know and still renders, exit code 0', () => {
    const result = cli(
      ['render', '-f', '-'],
      'apiVersion: rocketmq.apache.org/v1alpha1\nkind: NameService\nmetadata: {name: ns}\nspec: {replicas: 3}\n',
    );
    expect(result.status).toBe(0);
    expect(result.stderr).toBe(
      'warning: NameService default/ns: spec.replicas is not a field of NameService; the API server would drop it\n',
    );
    expect(parseAllDocuments(result.stdout)).toHaveLength(3);
  });

  it('renders the other resources of a file when one fails, reports each failure and exits 1', () => {
    const bad = (name: string) =>
      `apiVersion: rocketmq.apache.org/v1alpha1\nkind: NameService\nmetadata: {name: ${name}}\nspec: {size: 0}\n`;
    const good = 'apiVersion: rocketmq.apache.org/v1alpha1\nkind: NameService\nmetadata: {name: good}\nspec: {size: 1}\n';
    const result = cli(['render', '-f', '-'], [bad('one'), good, bad('two')].join('---\n'));
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      'error: NameService one is invalid: spec.size: must be >= 1',
      'error: NameService two is invalid: spec.size: must be >= 1',
    ]);
    expect(parseAllDocuments(result.stdout).map((d) => (d.toJS() as { metadata: { name: string } }).metadata.name)).toEqual([
      'good',
      'good',
      'good',
    ]);
  });

  it('prints its usage and exits 2 when called wrongly', () => {
    const result = cli(['draw']);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/usage: rocketmq-operator render -f <file\|-> \[-o yaml\|json\]/);
  });
});
