// Broker and name-server configs travel as Java properties text. The server reads updates as
// ISO-8859-1 with backslash escapes, so anything outside printable ASCII is escaped as \uXXXX.

/**
 * Reads GET_BROKER_CONFIG / GET_NAMESRV_CONFIG bodies: one raw `key=value` per line, split at the
 * first '=' (the server prints values as they are, without properties escaping).
 */
export function parseConfigLines(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const separator = line.indexOf('=');
    if (separator <= 0) continue;
    out[line.slice(0, separator).trim()] = line.slice(separator + 1);
  }
  return out;
}

export function formatProperties(values: Record<string, string | number | boolean>): string {
  return Object.entries(values)
    .map(([key, value]) => `${escape(key, true)}=${escape(String(value), false)}\n`)
    .join('');
}

function escape(text: string, isKey: boolean): string {
  let out = '';
  for (const c of text) {
    const code = c.charCodeAt(0);
    if (c === '\\') out += '\\\\';
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\t') out += '\\t';
    else if ((isKey && (c === '=' || c === ':' || c === ' ')) || c === '#' || c === '!') out += `\\${c}`;
    else if (code < 0x20 || code > 0x7e) {
      for (let i = 0; i < c.length; i++) out += `\\u${c.charCodeAt(i).toString(16).padStart(4, '0')}`;
    } else out += c;
  }
  return out;
}
