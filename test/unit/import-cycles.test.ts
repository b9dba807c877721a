// No module under hooks/ imports itself through others: each room can be read, tested and changed from the
// bottom up. The checker is proven on a tiny fixture written for the test.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findImportCycles, importGraph } from '../../scripts/import-cycles.js';
import { packageRoot } from '../../hooks/schema/crds.js';

describe('import cycles', () => {
  it('there are none under hooks/ (break one by moving the shared part into a module both sides import)', () => {
    const hooks = join(packageRoot(), 'hooks');
    expect(importGraph(hooks).get(join(hooks, 'cli.ts'))).toContain(join(hooks, 'dry-run.ts'));
    expect(findImportCycles(hooks)).toEqual([]);
  });

  describe('the checker', () => {
    let dir: string;
    const write = (file: string, text: string) => {
      mkdirSync(join(dir, file, '..'), { recursive: true });
      writeFileSync(join(dir, file), text);
    };

    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'import-cycles-'));
      write('leaf.ts', 'export const leaf = 1;\n');
      write('a.ts', "import { leaf } from './leaf.js';\nexport const a = leaf;\n");
      write('b.ts', "import { a } from './a.js';\nimport { parse } from 'yaml';\nexport const b = () => [a, parse];\n");
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('finds nothing when imports only go one way', () => {
      expect(findImportCycles(dir)).toEqual([]);
    });

    it('finds a cycle through three files, one in a sub-folder', () => {
      write('a.ts', "import { c } from './room/c.js';\nexport const a = c;\n");
      write('room/c.ts', "import { b } from '../b.js';\nexport const c = b;\n");
      expect(findImportCycles(dir)).toEqual([['a.ts', 'room/c.ts', 'b.ts', 'a.ts']]);
    });

    it('counts type-only imports, re-exports and dynamic imports', () => {
      write('leaf.ts', "import type { B } from './b.js';\nexport type Leaf = B;\nexport const leaf = 1;\n");
      expect(findImportCycles(dir)).toEqual([['a.ts', 'leaf.ts', 'b.ts', 'a.ts']]);
      write('leaf.ts', "export * from './b.js';\nexport const leaf = 1;\n");
      expect(findImportCycles(dir)).toHaveLength(1);
      write('leaf.ts', "export const leaf = 1;\nexport const later = () => import('./b.js');\n");
      expect(findImportCycles(dir)).toHaveLength(1);
    });

    it('finds a file importing itself', () => {
      write('leaf.ts', "import * as self from './leaf.js';\nexport const leaf = 1;\nexport const again = () => self.leaf;\n");
      expect(findImportCycles(dir)).toEqual([['leaf.ts', 'leaf.ts']]);
    });
  });
});
