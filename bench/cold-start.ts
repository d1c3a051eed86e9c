// Issue 2 benchmark: time to import the whole function table (production build, dist/) vs importing
// @azure/functions alone, each in fresh processes, median of several runs. Goal: ratio <= 2.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../shared/local-host/project-root.js';

const root = projectRoot();

function importMs(code: string): number {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', code], { cwd: root, encoding: 'utf8' });
  const line = out.trim().split('\n').pop() ?? '';
  return Number(line);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

export function benchColdStart(runs = 9): Record<string, unknown> {
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
  const shim = join(root, '.local/build/shared/local-host/functions-core-shim.js');
  const library: number[] = [];
  const table: number[] = [];
  for (let i = 0; i < runs; i++) {
    library.push(importMs(`const t = performance.now(); await import('@azure/functions'); console.log(performance.now() - t);`));
    // The real host supplies @azure/functions-core before loading the app; the shim plays that part.
    table.push(
      importMs(
        `const { installFunctionsCore } = await import(${JSON.stringify(shim)}); const core = installFunctionsCore();` +
          `const t = performance.now(); await import(${JSON.stringify(join(root, 'dist/functions/index.js'))}); const ms = performance.now() - t;` +
          `if (core.registrations.length === 0) throw new Error('nothing registered'); console.log(ms);`,
      ),
    );
  }
  const lib = median(library);
  const tab = median(table);
  return { runs, azureFunctionsMs: +lib.toFixed(1), functionTableMs: +tab.toFixed(1), ratio: (tab / lib).toFixed(2), goal: '<= 2' };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(benchColdStart(), null, 2));
}
