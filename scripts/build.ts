// `npm run build`: the deployable function app in dist/ (after `tsc --noEmit` has type-checked it).
// One ESM bundle of our code and its small dependencies, split so the SDK adapters load on first use;
// the Azure SDKs stay in node_modules. CommonJS dependencies (busboy) call require(): the banner gives
// each output file a real one.
import { rm } from 'node:fs/promises';
import { build } from 'esbuild';

await rm('dist', { recursive: true, force: true });
const result = await build({
  entryPoints: ['functions/index.ts'],
  outdir: 'dist/functions',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  // Less to parse at cold start; identifiers kept, so stack traces stay readable without source maps.
  minifyWhitespace: true,
  minifySyntax: true,
  external: ['@azure/*'],
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  metafile: true,
  logLevel: 'warning',
});
const bytes = Object.entries(result.metafile.outputs)
  .filter(([file]) => file.endsWith('.js'))
  .reduce((sum, [, output]) => sum + output.bytes, 0);
console.log(`dist/functions: ${Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.js')).length} files, ${(bytes / 1024).toFixed(0)} KiB of JavaScript`);
