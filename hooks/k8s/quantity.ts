// Kubernetes prints quantities in one canonical form ("1024Mi" is stored as "1Gi"). Rendering the
// same form keeps Metacontroller's comparison of desired and observed children quiet.

const BINARY: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const DECIMAL_SUFFIX = Object.fromEntries(Object.entries(DECIMAL).map(([s, e]) => [e, s]));
const NANO = 10n ** 9n;
const PATTERN = /^([+-]?)(\d+\.?\d*|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

type Format = 'BinarySI' | 'DecimalSI' | 'DecimalExponent';

function ceilDiv(a: bigint, b: bigint): bigint {
  return a >= 0n ? (a + b - 1n) / b : a / b;
}

interface Parsed {
  nanos: bigint;
  format: Format;
}

/**
 * Specs and observed claims repeat the same few quantities, on every sync and for every member of a
 * cluster: each text is parsed once (BigInt arithmetic costs about a microsecond), up to a bound.
 * Only short texts are kept: an observed object may hold any text, and real quantities are short.
 */
const parsedTexts = new Map<string, Parsed>();
const MAX_REMEMBERED = 4096;
const MAX_REMEMBERED_LENGTH = 64;

function remembered<T>(memory: Map<string, T>, text: string, compute: (text: string) => T): T {
  if (text.length > MAX_REMEMBERED_LENGTH) return compute(text);
  let value = memory.get(text);
  if (value === undefined) {
    value = compute(text);
    if (memory.size >= MAX_REMEMBERED) memory.clear();
    memory.set(text, value);
  }
  return value;
}

/** Value in nano units (rounded up as Kubernetes does) and the format the suffix asks for. */
function parseQuantity(text: string): Parsed {
  return remembered(parsedTexts, text, parseQuantityText);
}

function parseQuantityText(text: string): Parsed {
  const match = PATTERN.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not a Kubernetes quantity (e.g. 512Mi, 1Gi, 500m, 2)`);
  const [, sign, number, suffix = ''] = match;
  const [whole, fraction = ''] = number.split('.');
  let scaled = BigInt((whole || '0') + fraction) * NANO;
  let divisor = 10n ** BigInt(fraction.length);
  let format: Format = 'DecimalSI';
  if (suffix in BINARY) {
    scaled *= 1024n ** BigInt(BINARY[suffix]);
    format = 'BinarySI';
  } else {
    const exponent = suffix in DECIMAL ? DECIMAL[suffix] : Number(suffix.slice(1));
    if (!(suffix in DECIMAL)) format = 'DecimalExponent';
    if (exponent >= 0) scaled *= 10n ** BigInt(exponent);
    else divisor *= 10n ** BigInt(-exponent);
  }
  const nanos = ceilDiv(scaled, divisor);
  return { nanos: sign === '-' ? -nanos : nanos, format };
}

function formatDecimal(nanos: bigint, exponentStyle: boolean): string {
  if (nanos === 0n) return '0';
  let exponent = -9;
  let mantissa = nanos;
  while (exponent < 18 && mantissa % 1000n === 0n) {
    mantissa /= 1000n;
    exponent += 3;
  }
  if (exponentStyle) return exponent === 0 ? `${mantissa}` : `${mantissa}e${exponent}`;
  return `${mantissa}${DECIMAL_SUFFIX[exponent]}`;
}

/** Specs repeat the same few quantities on every sync; their canonical forms are kept. */
const canonicalForms = new Map<string, string>();

export function canonicalQuantity(value: string | number): string {
  return remembered(canonicalForms, String(value), formatQuantity);
}

function formatQuantity(text: string): string {
  const { nanos, format } = parseQuantity(text);
  const isWhole = nanos % NANO === 0n;
  const units = nanos / NANO;
  // Binary form only for whole values of at least 1Ki; anything else prints as decimal.
  if (format === 'BinarySI' && isWhole && (units >= 1024n || units <= -1024n)) {
    let power = 0;
    let mantissa = units;
    while (power < 6 && mantissa % 1024n === 0n) {
      mantissa /= 1024n;
      power += 1;
    }
    const suffix = Object.keys(BINARY).find((s) => BINARY[s] === power) ?? '';
    return `${mantissa}${suffix}`;
  }
  return formatDecimal(nanos, format === 'DecimalExponent');
}

/** Canonical copies of the quantities in a ResourceRequirements-like object. */
export function canonicalResources<T extends { limits?: Record<string, unknown>; requests?: Record<string, unknown> }>(
  resources: T | undefined,
): T | undefined {
  if (!resources) return undefined;
  const out: Record<string, unknown> = { ...resources };
  for (const key of ['limits', 'requests'] as const) {
    const list = resources[key];
    if (list) out[key] = Object.fromEntries(Object.entries(list).map(([k, v]) => [k, canonicalQuantity(v as string)]));
  }
  return out as T;
}

/**
 * Negative, zero or positive as `a` is less than, equal to or more than `b`, exactly (1Gi equals
 * 1024Mi); undefined when either is not a quantity.
 */
export function compareQuantities(a: unknown, b: unknown): number | undefined {
  if ((typeof a !== 'string' && typeof a !== 'number') || (typeof b !== 'string' && typeof b !== 'number')) return undefined;
  try {
    const difference = parseQuantity(String(a)).nanos - parseQuantity(String(b)).nanos;
    return difference === 0n ? 0 : difference < 0n ? -1 : 1;
  } catch {
    return undefined;
  }
}

/** Bytes of a quantity, for sizing the JVM from a memory limit. */
export function quantityToBytes(value: string | number): number {
  return Number(parseQuantity(String(value)).nanos / NANO);
}
