// Finds import cycles among the TypeScript files under a folder, with the TypeScript compiler's own
// import scanner and module resolution. Every import counts, type-only ones too: a cycle of types still
// ties two modules together so that neither can change alone.
//   node dist/scripts/import-cycles.js [folder ...]    (default hooks; exits 1 when a cycle is found)
import { readdirSync, readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import ts from 'typescript';

const COMPILER_OPTIONS: ts.CompilerOptions = { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext };

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'))
    .map((entry) => resolve(entry.parentPath, entry.name))
    .sort();
}

/** Each file's imports of other files in the same set, static, dynamic and re-exports alike. */
export function importGraph(folder: string): Map<string, string[]> {
  const files = sourceFiles(folder);
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = importedFiles
      .map(({ fileName }) => ts.resolveModuleName(fileName, file, COMPILER_OPTIONS, ts.sys).resolvedModule?.resolvedFileName)
      .filter((target): target is string => target !== undefined && known.has(resolve(target)))
      .map((target) => resolve(target));
    graph.set(file, [...new Set(targets)].sort());
  }
  return graph;
}

/** One cycle per strongly connected component (Tarjan), each as a path that starts and ends at the same file. */
function cycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const lowLink = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, index.size);
    lowLink.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        lowLink.set(node, Math.min(lowLink.get(node)!, lowLink.get(next)!));
      } else if (onStack.has(next)) {
        lowLink.set(node, Math.min(lowLink.get(node)!, index.get(next)!));
      }
    }
    if (lowLink.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || graph.get(node)?.includes(node)) components.push(component);
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return components.map((component) => pathThrough(graph, new Set(component)));
}

/** A shortest path from the component's first file (by name) back to itself, staying inside the component. */
function pathThrough(graph: Map<string, string[]>, component: Set<string>): string[] {
  const start = [...component].sort()[0];
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const next of graph.get(node) ?? []) {
      if (!component.has(next)) continue;
      if (next === start) {
        const path: string[] = [];
        for (let at = node; at !== start; at = previous.get(at)!) path.unshift(at);
        return [start, ...path, start];
      }
      if (!previous.has(next)) {
        previous.set(next, node);
        queue.push(next);
      }
    }
  }
  return [start, start];
}

/** The import cycles under a folder, as paths relative to it: [] when there are none. */
export function findImportCycles(folder: string): string[][] {
  const root = resolve(folder);
  return cycles(importGraph(root))
    .map((cycle) => cycle.map((file) => relative(root, file)))
    .sort((a, b) => a[0].localeCompare(b[0]));
}

if (process.argv[1]?.endsWith('import-cycles.js')) {
  const folders = process.argv.length > 2 ? process.argv.slice(2) : ['hooks'];
  let found = 0;
  for (const folder of folders) {
    for (const cycle of findImportCycles(folder)) {
      found++;
      process.stderr.write(`import cycle in ${folder}: ${cycle.join(' -> ')}\n`);
    }
  }
  process.exitCode = found > 0 ? 1 : 0;
}
