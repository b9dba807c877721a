import { hash } from 'node:crypto';

/**
 * A short digest of an object's JSON. Objects rendered by the same code from the same parent give
 * the same text: the API server serves custom resources with their keys in one stable order.
 */
export function shortHash(value: unknown): string {
  return shortTextHash(JSON.stringify(value));
}

/** The short digest of a text: shortHash(value) is shortTextHash(JSON.stringify(value)). */
export function shortTextHash(text: string): string {
  return hash('sha256', text, 'hex').slice(0, 16);
}

/** Strings that JSON writes as they are: printable ASCII without quotes or backslashes. */
const VERBATIM = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
const PRINTABLE = /^[\x20-\x7e]*$/;

/**
 * The JSON texts of objects built by one function from a few strings: the object built from markers
 * is serialized once and cut where the markers appear (inside any string value), so the text of the
 * object built from given strings is the pieces joined with those strings. `build` must use the
 * strings only inside string values, never as keys or to decide anything.
 *
 * The text function answers exactly JSON.stringify(build(values)), or undefined for a value that is
 * not printable ASCII (whose escaping could depend on its neighbours); it is itself undefined when
 * the markers cannot be told apart from the rest (they are random, so only by chance). Callers then
 * serialize the object.
 */
export function jsonTextTemplate(
  build: (values: string[]) => unknown,
  slots: number,
): ((values: string[]) => string | undefined) | undefined {
  const token = `\u0000${Math.random().toString(36).slice(2)}:`;
  const markers = Array.from({ length: slots }, (_, i) => `${token}${i}\u0000`);
  const escaped = (text: string) => JSON.stringify(text).slice(1, -1);
  const escapedToken = escaped(token);
  const escapedMarkers = markers.map(escaped);
  const text = JSON.stringify(build(markers));
  if (typeof text !== 'string') return undefined;
  const pieces: string[] = [];
  const order: number[] = [];
  let from = 0;
  for (let at = text.indexOf(escapedToken); at >= 0; at = text.indexOf(escapedToken, from)) {
    const slot = escapedMarkers.findIndex((m) => text.startsWith(m, at));
    if (slot < 0) return undefined;
    pieces.push(text.slice(from, at));
    order.push(slot);
    from = at + escapedMarkers[slot].length;
  }
  pieces.push(text.slice(from));
  return (values) => {
    let out = pieces[0];
    for (let i = 0; i < order.length; i++) {
      const value = values[order[i]];
      if (VERBATIM.test(value)) out += value;
      else if (PRINTABLE.test(value)) out += escaped(value);
      else return undefined;
      out += pieces[i + 1];
    }
    return out;
  };
}
