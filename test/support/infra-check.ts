// Reads infra/ (Bicep) and host.json as text and compares them with what the code needs: the app
// settings the configuration schema requires (identity variant), the queues and containers the code
// uses, and no key or secret anywhere in app settings. Returns the problems found (none = deployable).
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { envSchema, parseConfig } from '../../shared/config/env.js';
import { containerDefinitions } from '../../shared/data/containers.js';
import { allQueues } from '../../shared/use-cases/queues.js';
import { nodeWorkerArguments } from '../../shared/local-host/host-settings.js';

export type InfraFiles = Record<string, string>;

/** infra/**\/*.bicep and *.json, plus host.json, azure.yaml, package.json and scripts/build.ts, keyed by path from the project root. */
export async function readInfra(root: string): Promise<InfraFiles> {
  const files: InfraFiles = {};
  for (const entry of await readdir(join(root, 'infra'), { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && /\.(bicep|json)$/.test(entry.name)) {
      const path = join(entry.parentPath, entry.name);
      files[relative(root, path)] = await readFile(path, 'utf8');
    }
  }
  for (const name of ['host.json', 'azure.yaml', 'package.json', 'scripts/build.ts']) files[name] = await readFile(join(root, name), 'utf8');
  return files;
}

/** The body of `var <name> = { ... }` or `var <name> = [ ... ]` (a block closed at column 0). */
function block(text: string, name: string, open: '{' | '['): string | undefined {
  const start = text.indexOf(`var ${name} = ${open}\n`);
  if (start < 0) return undefined;
  const end = text.indexOf(`\n${open === '{' ? '}' : ']'}\n`, start);
  return end < 0 ? undefined : text.slice(start, end);
}

/** `NAME: expression` lines of the app's settings object. */
function appSettingsOf(apiBicep: string): Map<string, string> {
  const body = block(apiBicep, 'appSettings', '{') ?? '';
  const settings = new Map<string, string>();
  for (const line of body.split('\n').slice(1)) {
    const match = /^\s+([A-Za-z_][A-Za-z0-9_]*):\s*(.+?)\s*$/.exec(line);
    if (match?.[1] && match[2]) settings.set(match[1], match[2]);
  }
  return settings;
}

/** Settings the Functions host or platform reads, not the app's schema. */
const hostSettings = new Set([
  'AzureWebJobsStorage__credential',
  'AzureWebJobsStorage__clientId',
  'APPLICATIONINSIGHTS_AUTHENTICATION_STRING',
  'languageWorkers__node__arguments',
]);
/** Settings that only exist for keys, connection strings or the local emulators. */
const localOnly = ['COSMOS_KEY', 'COSMOS_TLS_INSECURE', 'AzureWebJobsStorage', 'EMAIL_CONNECTION_STRING', 'EMAIL_ALLOW_INSECURE', 'AUTH_JWKS_FILE'];
/** An Application Insights connection string names the resource; with local auth disabled it authorises nothing. */
const notSecret = new Set(['APPLICATIONINSIGHTS_CONNECTION_STRING']);
const secretName = /(KEY|SECRET|PASSWORD|TOKEN|CONNECTION_?STRING|SAS)$/i;
const secretValue =
  /listKeys|listConnectionStrings|listSecrets|listCredentials|listAccountSas|listServiceSas|primaryMasterKey|primaryKey|secondaryKey|AccountKey=|accesskey=|SharedAccessSignature|SharedAccessKey|@secure/i;

/** A value of the right shape for a setting, so the schema can be run on what infra provides. */
function placeholderFor(name: string): string {
  const field = (envSchema().shape as Record<string, { safeParse(v: unknown): { success: boolean } } | undefined>)[name];
  const candidates = ['https://placeholder.example/', 'placeholder@example.com', '1', 'placeholder'];
  return candidates.find((c) => field?.safeParse(c).success) ?? 'placeholder';
}

export function infraProblems(files: InfraFiles): string[] {
  const problems: string[] = [];
  const api = files['infra/app/api.bicep'] ?? '';
  const settings = appSettingsOf(api);
  if (settings.size === 0) problems.push('infra/app/api.bicep: no `var appSettings = { ... }` block');

  // Every setting the configuration schema requires is provided, in its identity-based form.
  const env = Object.fromEntries([...settings.keys()].map((name) => [name, placeholderFor(name)]));
  try {
    parseConfig(env);
  } catch (error) {
    problems.push(`app settings do not satisfy the configuration schema: ${(error as Error).message}`);
  }
  for (const name of localOnly) if (settings.has(name)) problems.push(`app setting ${name} is for keys or local emulators; Azure uses the managed identity`);
  if (settings.get('AzureWebJobsStorage__credential') !== "'managedidentity'") problems.push("AzureWebJobsStorage__credential must be 'managedidentity'");
  for (const name of ['AzureWebJobsStorage__clientId', 'AZURE_CLIENT_ID'])
    if (!settings.has(name)) problems.push(`app setting ${name} (the user-assigned identity) is missing`);
  const known = new Set(Object.keys(envSchema().shape));
  for (const name of settings.keys()) {
    if (!known.has(name) && !hostSettings.has(name)) problems.push(`app setting ${name} is not read by the code or the host (a typo?)`);
  }

  // No key, secret or connection string in app settings, and no key read anywhere in infra.
  for (const [name, value] of settings) {
    if (secretName.test(name) && !notSecret.has(name)) problems.push(`app setting ${name} looks like a secret`);
    if (secretValue.test(value)) problems.push(`app setting ${name} takes a key or secret: ${value}`);
  }
  for (const [path, text] of Object.entries(files)) {
    if (path.startsWith('infra/') && /\blist(Keys|ConnectionStrings|Secrets|AccountSas|ServiceSas)\(/.test(text)) problems.push(`${path} reads keys`);
  }

  // Every queue the code uses, each with its poison twin.
  const storage = files['infra/app/storage.bicep'] ?? '';
  const queueBlock = block(storage, 'queueNames', '[') ?? '';
  const provisioned = new Set([...queueBlock.matchAll(/^\s+'([a-z0-9-]+)'\s*$/gm)].map((m) => m[1]));
  for (const queue of allQueues) if (!provisioned.has(queue)) problems.push(`queue ${queue} is not provisioned`);
  for (const queue of provisioned) if (!allQueues.includes(queue ?? '')) problems.push(`queue ${queue} is provisioned but unused`);
  if (!storage.includes("map(queueNames, q => { name: '${q}-poison' })")) problems.push('the -poison queues are not provisioned');

  // The documents container, private; no shared-key access.
  const documents = envSchema().shape.DOCUMENTS_CONTAINER.parse(undefined);
  if (!new RegExp(`var documentsContainerName = '${documents}'`).test(storage) || !/name: documentsContainerName, publicAccess: 'None'/.test(storage)) {
    problems.push(`blob container ${documents} is not provisioned with public access off`);
  }
  if (!/allowBlobPublicAccess: false/.test(storage) || !/allowSharedKeyAccess: false/.test(storage))
    problems.push('storage must refuse public blobs and shared keys');

  // Every Cosmos container with its partition key and TTL setting; the database the code defaults to.
  const cosmos = files['infra/app/cosmos.bicep'] ?? '';
  const rows = [...(block(cosmos, 'containers', '[') ?? '').matchAll(/\{ name: '([^']+)', partitionKey: '([^']+)', defaultTtl: (null|-?\d+)/g)];
  const infraContainers = new Map(rows.map((m) => [m[1], { partitionKey: m[2], defaultTtl: m[3] === 'null' ? undefined : Number(m[3]) }]));
  for (const c of containerDefinitions) {
    const found = infraContainers.get(c.id);
    if (!found) problems.push(`Cosmos container ${c.id} is not provisioned`);
    else {
      if (found.partitionKey !== c.partitionKey)
        problems.push(`Cosmos container ${c.id}: partition key ${found.partitionKey}, the code uses ${c.partitionKey}`);
      const ttl = 'defaultTtl' in c ? c.defaultTtl : undefined;
      if (found.defaultTtl !== ttl) problems.push(`Cosmos container ${c.id}: defaultTtl ${String(found.defaultTtl)}, the code expects ${String(ttl)}`);
    }
  }
  for (const name of infraContainers.keys())
    if (!containerDefinitions.some((c) => c.id === name)) problems.push(`Cosmos container ${name} is provisioned but unused`);
  const database = envSchema().shape.COSMOS_DATABASE.parse(undefined);
  if (!cosmos.includes(`var databaseName = '${database}'`)) problems.push(`Cosmos database ${database} is not provisioned`);
  if (!/disableLocalAuth: true/.test(cosmos)) problems.push('Cosmos DB must have local (key) auth disabled');
  if (!/disableLocalAuth: true/.test(files['infra/app/monitoring.bicep'] ?? ''))
    problems.push('Application Insights must refuse instrumentation-key-only ingestion');

  // host.json: the settings the code and this check rely on, no Debug logging in production.
  const host = JSON.parse(files['host.json'] ?? '{}') as {
    extensionBundle?: unknown;
    functionTimeout?: string;
    logging?: { logLevel?: Record<string, string> };
    extensions?: { queues?: { maxDequeueCount?: number } };
  };
  if (!host.extensionBundle) problems.push('host.json has no extensionBundle');
  if (!host.functionTimeout) problems.push('host.json has no functionTimeout');
  if (host.extensions?.queues?.maxDequeueCount !== 5) problems.push('host.json queues.maxDequeueCount must be 5');
  for (const [category, level] of Object.entries(host.logging?.logLevel ?? {})) {
    if (/^(Debug|Trace)$/i.test(level)) problems.push(`host.json logs ${category} at ${level}`);
  }
  // The worker's V8 arguments: the same on Azure and under npm start.
  const workerArguments = nodeWorkerArguments.join(' ');
  if (settings.get('languageWorkers__node__arguments') !== `'${workerArguments}'`)
    problems.push(`app setting languageWorkers__node__arguments must be '${workerArguments}'`);
  const start = (JSON.parse(files['package.json'] ?? '{}') as { scripts?: Record<string, string> }).scripts?.start ?? '';
  if (!start.includes(`node ${workerArguments} `)) problems.push(`npm start must run node with ${workerArguments}`);
  if (!/project: \.\/dist/.test(files['azure.yaml'] ?? '')) problems.push('azure.yaml must deploy dist/ (the production build)');
  problems.push(...runtimeVersionProblems(files));
  problems.push(...moduleWiringProblems(files));
  return problems;
}

/** The `{ ... }` that opens at `from` (an index of `{`), by brace counting. */
function braces(text: string, from: number): string {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return text.slice(from, i + 1);
  }
  return text.slice(from);
}

/**
 * What a Bicep compiler would say about our own modules' wiring (there is no compiler on the build
 * machine): every local module exists, is given only parameters it declares and every one it requires,
 * and every `<module>.outputs.<name>` read is an output it declares.
 */
function moduleWiringProblems(files: InfraFiles): string[] {
  const problems: string[] = [];
  for (const [path, text] of Object.entries(files)) {
    if (!path.endsWith('.bicep')) continue;
    const dir = path.slice(0, path.lastIndexOf('/'));
    for (const match of text.matchAll(/^module (\w+) '(\.\/[^']+)' = \{/gm)) {
      const [, name, relativePath] = match;
      const target = `${dir}/${(relativePath ?? '').slice(2)}`;
      const module = files[target];
      if (!module) {
        problems.push(`${path}: module ${name} points at ${target}, which does not exist`);
        continue;
      }
      const declared = new Map([...module.matchAll(/^param (\w+) [\w.]+( =)?/gm)].map((m) => [m[1] ?? '', m[2] !== undefined]));
      const body = braces(text, (match.index ?? 0) + match[0].length - 1);
      const paramsAt = body.indexOf('params: {');
      const given = paramsAt < 0 ? [] : [...braces(body, paramsAt + 'params: '.length).matchAll(/^ {4}(\w+):/gm)].map((m) => m[1] ?? '');
      for (const param of given) if (!declared.has(param)) problems.push(`${path}: module ${name} is given ${param}, which ${target} does not declare`);
      for (const [param, hasDefault] of declared)
        if (!hasDefault && !given.includes(param)) problems.push(`${path}: module ${name} is not given ${param}, which ${target} requires`);
      const outputs = new Set([...module.matchAll(/^output (\w+) /gm)].map((m) => m[1]));
      for (const read of text.matchAll(new RegExp(`\\b${name}\\.outputs\\.(\\w+)`, 'g'))) {
        if (!outputs.has(read[1])) problems.push(`${path}: ${name}.outputs.${read[1]} is not an output of ${target}`);
      }
    }
  }
  return problems;
}

/**
 * The Node.js major version is one number: the Flex Consumption runtime in Bicep, the `engines` floor
 * in package.json (which the production build copies to dist/package.json) and the esbuild target.
 */
function runtimeVersionProblems(files: InfraFiles): string[] {
  const bicep = /runtime: \{ name: 'node', version: '(\d+)' \}/.exec(files['infra/app/api.bicep'] ?? '')?.[1];
  const engines = (JSON.parse(files['package.json'] ?? '{}') as { engines?: { node?: string } }).engines?.node ?? '';
  const floor = /^>=(\d+)$/.exec(engines)?.[1];
  const target = /\btarget: 'node(\d+)'/.exec(files['scripts/build.ts'] ?? '')?.[1];
  if (!bicep) return ["infra/app/api.bicep must set the Flex Consumption runtime: { name: 'node', version: '<major>' }"];
  const problems: string[] = [];
  if (floor !== bicep) problems.push(`package.json engines.node is '${engines}', infra deploys Node ${bicep}: it must be '>=${bicep}'`);
  if (target !== bicep) problems.push(`scripts/build.ts builds for node${target ?? '?'}, infra deploys Node ${bicep}`);
  return problems;
}
