// Metacontroller's writes as the API server's audit log records them (the policy in
// control-plane.ts keeps create/update/patch/delete by its ServiceAccount and nothing else).
import { readFileSync } from 'node:fs';

export interface Write {
  at: number;
  verb: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  code: number;
}

export const PARENTS = new Set(['nameservices', 'brokers', 'consoles', 'topictransfers', 'proxies']);

export function writesSince(auditLog: string, since: number): Write[] {
  let text: string;
  try {
    text = readFileSync(auditLog, 'utf8');
  } catch {
    return [];
  }
  const writes: Write[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    const e = JSON.parse(line);
    if (e.stage !== 'ResponseComplete') continue;
    const at = Date.parse(e.requestReceivedTimestamp);
    if (at < since) continue;
    const ref = e.objectRef ?? {};
    writes.push({
      at,
      verb: e.verb,
      resource: ref.resource,
      subresource: ref.subresource,
      namespace: ref.namespace,
      name: ref.name,
      code: e.responseStatus?.code ?? 0,
    });
  }
  return writes;
}

/** Writes to children (everything but parents, events and ControllerRevisions). */
export function childWrites(writes: Write[]): Write[] {
  return writes.filter((w) => !PARENTS.has(w.resource) && w.resource !== 'events' && w.resource !== 'controllerrevisions');
}

export function describeWrites(writes: Write[]): string {
  return writes
    .map(
      (w) =>
        `${new Date(w.at).toISOString()} ${w.verb} ${w.resource}${w.subresource ? `/${w.subresource}` : ''} ${w.namespace ?? ''}/${w.name ?? ''} → ${w.code}`,
    )
    .join('\n');
}
