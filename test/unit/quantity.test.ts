import { canonicalQuantity, canonicalResources, quantityToBytes } from '../../hooks/k8s/quantity.js';

describe('canonical quantities', () => {
  it.each([
    ['1024Mi', '1Gi'],
    ['1000Mi', '1000Mi'],
    ['0.5Gi', '512Mi'],
    ['1.5Ki', '1536'],
    ['512', '512'],
    ['1000m', '1'],
    ['1500m', '1500m'],
    ['0.1', '100m'],
    ['250m', '250m'],
    ['2000', '2k'],
    ['1G', '1G'],
    ['1e3', '1e3'],
    ['0', '0'],
    [2, '2'],
  ])('prints %s as the API server does (%s)', (input, expected) => {
    expect(canonicalQuantity(input)).toBe(expected);
  });

  it('rejects text that is not a quantity, saying what a quantity looks like', () => {
    expect(() => canonicalQuantity('lots')).toThrow(/not a Kubernetes quantity \(e\.g\. 512Mi/);
  });

  it('canonicalises both limits and requests and keeps other fields', () => {
    expect(canonicalResources({ limits: { memory: '2048Mi' }, requests: { cpu: '0.5' }, claims: [{ name: 'x' }] })).toEqual({
      limits: { memory: '2Gi' },
      requests: { cpu: '500m' },
      claims: [{ name: 'x' }],
    });
  });

  it('converts memory limits to bytes', () => {
    expect(quantityToBytes('2Gi')).toBe(2 * 1024 ** 3);
    expect(quantityToBytes('1G')).toBe(1e9);
  });
});
