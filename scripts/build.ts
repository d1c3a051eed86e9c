// `npm run build`: the deployable function app in dist/ (after `tsc --noEmit` has type-checked it):
//   dist/functions/*.js   one ESM bundle of our code and its small dependencies, split so the SDK
//                         adapters load on first use (CommonJS dependencies get a real require()).
//   dist/host.json        the host configuration, as is.
//   dist/package.json     "main" and the production dependencies the bundle leaves external (the Azure
//                         SDKs and OpenTelemetry), nothing else: no dev dependencies, no scripts.
// azd deploys dist/ (azure.yaml); `npm install` there fetches only those dependencies. The build fails
// if the bundle imports a package that is not a declared dependency, or pulls in local-host code.
import { copyFile, readFile, rm, writeFile } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import { build } from 'esbuild';

const external = ['@azure/*', '@opentelemetry/*'];
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
  external,
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  metafile: true,
  logLevel: 'warning',
});

const inputs = Object.keys(result.metafile.inputs);
const devOnly = inputs.filter((file) => /(^|\/)(shared\/local-host|test|bench|scripts)\//.test(file) || /azurite|cosmosdb-server/.test(file));
if (devOnly.length > 0) throw new Error(`the bundle must not contain development code: ${devOnly.join(', ')}`);

const packageName = (specifier: string) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');
const imported = new Set(
  Object.values(result.metafile.outputs).flatMap((output) => output.imports.filter((i) => i.external && !isBuiltin(i.path)).map((i) => packageName(i.path))),
);
const manifest = JSON.parse(await readFile('package.json', 'utf8')) as { name: string; version: string; engines: unknown; dependencies: Record<string, string> };
const dependencies: Record<string, string> = {};
for (const name of [...imported].sort()) {
  const version = manifest.dependencies[name];
  if (!version) throw new Error(`the bundle imports ${name}, which is not a dependency in package.json`);
  dependencies[name] = version;
}
// Peer dependencies of those (e.g. @opentelemetry/api) are installed by the deployment too.
for (const name of Object.keys(dependencies)) {
  const peers = (JSON.parse(await readFile(`node_modules/${name}/package.json`, 'utf8')) as { peerDependencies?: Record<string, string> }).peerDependencies ?? {};
  for (const peer of Object.keys(peers)) {
    const version = manifest.dependencies[peer];
    if (!version) throw new Error(`${name} needs its peer ${peer}, which is not a dependency in package.json`);
    dependencies[peer] = version;
  }
}
await writeFile(
  'dist/package.json',
  `${JSON.stringify({ name: manifest.name, version: manifest.version, private: true, type: 'module', main: 'functions/index.js', engines: manifest.engines, dependencies: Object.fromEntries(Object.entries(dependencies).sort()) }, null, 2)}\n`,
);
await copyFile('host.json', 'dist/host.json');

const js = Object.entries(result.metafile.outputs).filter(([file]) => file.endsWith('.js'));
const bytes = js.reduce((sum, [, output]) => sum + output.bytes, 0);
console.log(`dist/: ${js.length} JavaScript files, ${(bytes / 1024).toFixed(0)} KiB; host.json; package.json with ${Object.keys(dependencies).length} dependencies (${Object.keys(dependencies).join(', ')})`);
