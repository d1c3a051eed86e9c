// `npm run docs:functions`: rewrites the README's function table from the registrations
// (functions/index.ts); `-- --check` fails instead when the table is not current.
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { installFunctionsCore } from '../shared/local-host/functions-core-shim.js';
import { withFunctionTable } from '../shared/local-host/function-table.js';

const readmePath = resolve(import.meta.dirname, '..', 'README.md');
const core = installFunctionsCore();
await import('../functions/index.js');
const current = await readFile(readmePath, 'utf8');
const next = await withFunctionTable(current, core, readmePath);
if (process.argv.includes('--check')) {
  if (next !== current) {
    console.error('README.md: the function table is not current; run npm run docs:functions');
    process.exit(1);
  }
} else if (next !== current) {
  await writeFile(readmePath, next);
  console.log(`README.md: function table rewritten (${core.registrations.length} functions)`);
} else {
  console.log('README.md: function table is current');
}
