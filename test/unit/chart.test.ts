// The Helm chart's copies of the CRDs are the repository's crds/, byte for byte: crds/ is the one
// source of truth, and Helm cannot read files outside the chart.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { packageRoot } from '../../hooks/schema/crds.js';

const root = packageRoot();
const chartCrds = join(root, 'charts', 'rocketmq-operator', 'crds');
const repoCrds: string[] = parse(readFileSync(join(root, 'crds', 'kustomization.yaml'), 'utf8')).resources;

describe('the chart CRDs (run npm run chart:crds after editing crds/)', () => {
  it('are the files of crds/kustomization.yaml, no more and no fewer', () => {
    expect(readdirSync(chartCrds).sort()).toEqual([...repoCrds].sort());
  });

  it.each(repoCrds)('%s is the same as in crds/', (file) => {
    expect(readFileSync(join(chartCrds, file), 'utf8')).toBe(readFileSync(join(root, 'crds', file), 'utf8'));
  });
});
