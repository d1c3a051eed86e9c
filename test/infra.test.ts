import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { infraProblems, readInfra, type InfraFiles } from './support/infra-check.js';

const root = resolve(import.meta.dirname, '..');
let files: InfraFiles;
beforeAll(async () => {
  files = await readInfra(root);
});

/** The same files with one edit, to prove each check bites. */
function edited(path: string, from: string | RegExp, to: string): InfraFiles {
  const text = files[path] ?? '';
  const next = text.replace(from, to);
  expect(next, `edit of ${path} applies`).not.toBe(text);
  return { ...files, [path]: next };
}

describe('infra/ against the code', () => {
  it('provides every required app setting, every queue and container, and no key or secret', () => {
    expect(infraProblems(files)).toEqual([]);
  });

  it('fails when an app setting the code requires is missing', () => {
    const problems = infraProblems(edited('infra/app/api.bicep', /\n\s+COSMOS_ENDPOINT: .*/, ''));
    expect(problems.join('\n')).toMatch(/COSMOS_ENDPOINT/);
    expect(infraProblems(edited('infra/app/api.bicep', /\n\s+AUTH_JWKS_URI: .*/, '')).join('\n')).toMatch(/AUTH_JWKS_URI/);
    expect(infraProblems(edited('infra/app/api.bicep', /\n\s+AzureWebJobsStorage__queueServiceUri: .*/, '')).join('\n')).toMatch(/AzureWebJobsStorage/);
  });

  it('fails when a key, secret or connection string appears in app settings', () => {
    const withKey = edited('infra/app/api.bicep', '  COSMOS_ENDPOINT:', '  COSMOS_KEY: cosmosAccount.listKeys().primaryMasterKey\n  COSMOS_ENDPOINT:');
    expect(infraProblems(withKey).join('\n')).toMatch(/COSMOS_KEY is for keys|takes a key|reads keys/);
    const withConnection = edited(
      'infra/app/api.bicep',
      '  EMAIL_ENDPOINT:',
      "  EMAIL_CONNECTION_STRING: 'endpoint=https://x/;accesskey=abc'\n  EMAIL_ENDPOINT:",
    );
    expect(infraProblems(withConnection).join('\n')).toMatch(/EMAIL_CONNECTION_STRING/);
    const withSecret = edited('infra/app/api.bicep', '  COSMOS_ENDPOINT:', "  WEBHOOK_SECRET: 'abc'\n  COSMOS_ENDPOINT:");
    expect(infraProblems(withSecret).join('\n')).toMatch(/WEBHOOK_SECRET looks like a secret/);
  });

  it('fails when a queue or container the code uses is not provisioned', () => {
    expect(infraProblems(edited('infra/app/storage.bicep', /\n\s+'rollover-pages'/, ''))).toContain('queue rollover-pages is not provisioned');
    expect(infraProblems(edited('infra/app/storage.bicep', "map(queueNames, q => { name: '${q}-poison' })", '[]'))).toContain(
      'the -poison queues are not provisioned',
    );
    expect(infraProblems(edited('infra/app/cosmos.bicep', /\n\s+\{ name: 'lookups'.*/, ''))).toContain('Cosmos container lookups is not provisioned');
    expect(
      infraProblems(edited('infra/app/cosmos.bicep', "{ name: 'profiles', partitionKey: '/partnerId'", "{ name: 'profiles', partitionKey: '/id'")),
    ).toContain('Cosmos container profiles: partition key /id, the code uses /partnerId');
    expect(
      infraProblems(
        edited('infra/app/storage.bicep', "name: documentsContainerName, publicAccess: 'None'", "name: documentsContainerName, publicAccess: 'Blob'"),
      ).join('\n'),
    ).toMatch(/verification-documents/);
  });

  it('checks the wiring of our own Bicep modules: parameters declared and required, outputs that exist', () => {
    expect(
      infraProblems(edited('infra/main.bicep', '    cosmosEndpoint: cosmos.outputs.endpoint', '    cosmosEndpoint: cosmos.outputs.accountEndpoint')),
    ).toContain('infra/main.bicep: cosmos.outputs.accountEndpoint is not an output of infra/app/cosmos.bicep');
    expect(infraProblems(edited('infra/main.bicep', '    authJwksUri: authJwksUri\n', ''))).toContain(
      'infra/main.bicep: module api is not given authJwksUri, which infra/app/api.bicep requires',
    );
    expect(infraProblems(edited('infra/main.bicep', '    authJwksUri: authJwksUri\n', '    authJwksUri: authJwksUri\n    jwks: authJwksUri\n'))).toContain(
      'infra/main.bicep: module api is given jwks, which infra/app/api.bicep does not declare',
    );
  });

  it('holds the worker V8 arguments equal on Azure and under npm start (INC-5: a long rollover peaks as a short one does; VER-8: no full collection per upload)', () => {
    const workerArguments = '--max-old-space-size=512 --max-semi-space-size=4 --initial-old-space-size=56';
    expect(infraProblems(edited('infra/app/api.bicep', `'${workerArguments}'`, "'--max-old-space-size=4096'"))).toContain(
      `app setting languageWorkers__node__arguments must be '${workerArguments}'`,
    );
    expect(infraProblems(edited('package.json', ' --initial-old-space-size=56 ', ' '))).toContain(`npm start must run node with ${workerArguments}`);
  });

  it('holds the Node.js runtime equal in Bicep, package.json engines and the build target (Node 22)', () => {
    expect(files['infra/app/api.bicep']).toContain("runtime: { name: 'node', version: '22' }");
    expect(infraProblems(edited('infra/app/api.bicep', "version: '22'", "version: '20'"))).toEqual([
      "package.json engines.node is '>=22', infra deploys Node 20: it must be '>=20'",
      'scripts/build.ts builds for node22, infra deploys Node 20',
    ]);
    expect(infraProblems(edited('package.json', '"node": ">=22"', '"node": ">=20"'))).toContain(
      "package.json engines.node is '>=20', infra deploys Node 22: it must be '>=22'",
    );
    expect(infraProblems(edited('scripts/build.ts', "target: 'node22'", "target: 'node20'"))).toContain(
      'scripts/build.ts builds for node20, infra deploys Node 22',
    );
  });

  it('fails on Debug logging in host.json and on a typo in a setting name', () => {
    expect(infraProblems(edited('host.json', '"default": "Warning"', '"default": "Debug"'))).toContain('host.json logs default at Debug');
    expect(infraProblems(edited('infra/app/api.bicep', '  DOCUMENTS_CONTAINER:', '  DOCUMENT_CONTAINER:')).join('\n')).toMatch(
      /DOCUMENT_CONTAINER is not read/,
    );
  });
});
