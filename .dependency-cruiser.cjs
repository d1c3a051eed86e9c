// Layer rules for `npm run deps` (dependency-cruiser). Paths are relative to the repository root.
// The layers, from the inside out:
//   shared/domain      rules and value types: zod and node:crypto, nothing else
//   shared/use-cases   application logic and its ports (interfaces the outer layers implement)
//   shared/data, shared/adapters   Cosmos DB, Blob/Queue storage, email: implement the ports
//   shared/platform, functions/    the edge: Azure Functions wiring, HTTP, auth, telemetry
//   shared/local-host  the local stack (emulators, function host): development only

/** Our own source folders: anything under one of them is "ours". */
const OURS = '^(functions|shared|scripts|bench|test)/';
/** An npm package, resolved or not (a specifier that resolved into node_modules). */
const NPM = '(^|/)node_modules/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    // The domain is pure: no other layer of ours, no SDK, no I/O library. It may use zod for its
    // schemas and node:crypto for ids and hashes. (This also keeps @azure/*, @opentelemetry/*,
    // busboy and file-type out.)
    {
      name: 'domain-imports-only-domain',
      comment: 'shared/domain may import only shared/domain among our folders.',
      severity: 'error',
      from: { path: '^shared/domain/' },
      to: { path: OURS, pathNot: '^shared/domain/' },
    },
    {
      name: 'domain-npm-only-zod',
      comment: 'shared/domain may import no npm package but zod (no @azure/*, @opentelemetry/*, busboy, file-type, ...).',
      severity: 'error',
      from: { path: '^shared/domain/' },
      to: { path: NPM, pathNot: `${NPM}zod/` },
    },
    {
      name: 'domain-builtins-only-crypto',
      comment: 'shared/domain may import no Node.js builtin but node:crypto.',
      severity: 'error',
      from: { path: '^shared/domain/' },
      to: { dependencyTypes: ['core'], pathNot: '^(node:)?crypto$' },
    },

    // Use cases depend on the domain and on their own ports, never on an implementation: the
    // data and adapter layers, the platform and the functions all sit outside them.
    {
      name: 'use-cases-import-only-domain-and-use-cases',
      comment: 'shared/use-cases may import only shared/domain and shared/use-cases (its ports live there) among our folders.',
      severity: 'error',
      from: { path: '^shared/use-cases/' },
      to: { path: OURS, pathNot: '^shared/(domain|use-cases)/' },
    },
    {
      name: 'use-cases-npm-only-zod',
      comment: 'shared/use-cases may import no npm package but zod: SDKs belong to shared/data and shared/adapters.',
      severity: 'error',
      from: { path: '^shared/use-cases/' },
      to: { path: NPM, pathNot: `${NPM}zod/` },
    },
    {
      name: 'use-cases-builtins-only-crypto-and-stream-types',
      comment: 'shared/use-cases may import node:crypto, and node:stream for types (a port that takes a Readable); no other builtin.',
      severity: 'error',
      from: { path: '^shared/use-cases/' },
      to: { dependencyTypes: ['core'], pathNot: '^(node:)?(crypto|stream)$' },
    },
    {
      name: 'use-cases-stream-types-only',
      comment: 'shared/use-cases may name node:stream types (import type) but not load node:stream.',
      severity: 'error',
      from: { path: '^shared/use-cases/' },
      to: { path: '^(node:)?stream$', dependencyTypesNot: ['type-only'] },
    },

    // Data and adapters implement the ports with the SDKs. They may use the domain, the use cases'
    // ports, the configuration and each other; not the edge (platform, functions), not the
    // composition root, not the local stack.
    {
      name: 'data-and-adapters-stay-inside',
      comment:
        'shared/data and shared/adapters may import only shared/domain, shared/use-cases (ports), shared/config, shared/data and shared/adapters among our folders; not shared/platform, functions/ or shared/local-host.',
      severity: 'error',
      from: { path: '^shared/(data|adapters)/' },
      to: { path: OURS, pathNot: '^shared/(domain|use-cases|config|data|adapters)/' },
    },

    // shared/platform and functions/ are the edge: they may import anything, except the local
    // stack (next rule), which must never reach the deployed bundle.
    {
      name: 'local-host-is-development-only',
      comment: 'shared/local-host may be imported only by shared/local-host, bench/, test/ and scripts/.',
      severity: 'error',
      from: { pathNot: '^(shared/local-host|bench|test|scripts)/' },
      to: { path: '^shared/local-host/' },
    },

    {
      name: 'no-circular',
      comment: 'No import cycles: a cycle makes module initialisation order matter and merges layers.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'Every import resolves to a file or an installed package (else the rules above cannot see it).',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count: a type from an outer layer couples the layers as much as a value.
    tsPreCompilationDeps: true,
    // tsconfig.json: NodeNext resolution; `./x.js` specifiers resolve to `./x.ts`.
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    skipAnalysisNotInRules: true,
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
