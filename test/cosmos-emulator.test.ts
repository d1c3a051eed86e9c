// The two corrections patches/ makes to the local Cosmos emulator, so that local runs and tests see
// what Azure Cosmos DB does: atomic batches that roll back and honour `Prefer: return=minimal`
// (@vercel/cosmosdb-server), and query scans in linear time (@zeit/cosmosdb-query, its compiler).
// Transactional rollback through the repository is covered in data-layer.test.ts.
import { createRequire } from 'node:module';
import type { Container, OperationInput } from '@azure/cosmos';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCosmosDatabase } from '../shared/data/cosmos-client.js';
import { stackEnv, unique } from './support/harness.js';

interface Doc {
  id: string;
  _rid: string;
  partnerId: string;
  type: string;
  n: number;
}
type Parameters = { name: string; value: unknown }[];

// The compiler and executor the emulator itself loads (its own dependency).
const serverRequire = createRequire(createRequire(import.meta.url).resolve('@vercel/cosmosdb-server/package.json'));
const compile = (serverRequire('@zeit/cosmosdb-query') as { default: (sql: string) => { code: string } }).default;
const execute = (
  serverRequire('@zeit/cosmosdb-query/lib/executor') as {
    default: (docs: unknown[], options: { code: string; parameters: Parameters; maxItemCount?: number }) => { result: unknown[] };
  }
).default;

function documents(count: number): Doc[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `d${i}`,
    _rid: `r${String(i).padStart(6, '0')}`,
    partnerId: `p${i % 7}`,
    type: i % 3 ? 'enrollment' : 'other',
    n: i,
  }));
}

describe('the local emulator\u2019s query compiler', () => {
  const parameters: Parameters = [
    { name: '@t', value: 'enrollment' },
    { name: '@p', value: 'p3' },
  ];

  it('wraps each document once (no per-document copy of the array) and answers what the SQL asks', () => {
    const docs = documents(300);
    const enrollments = docs.filter((d) => d.type === 'enrollment');
    const cases: [string, unknown[]][] = [
      ['SELECT * FROM c WHERE c.type = @t', enrollments.slice(0, 50)],
      [
        'SELECT * FROM e WHERE e.type = @t AND e.partnerId = @p ORDER BY e.n DESC',
        enrollments
          .filter((d) => d.partnerId === 'p3')
          .reverse()
          .slice(0, 50),
      ],
      ['SELECT VALUE COUNT(1) FROM c WHERE c.type = @t', [enrollments.length]],
    ];
    for (const [sql, expected] of cases) {
      const { code } = compile(sql);
      expect(code, sql).not.toContain('[...$,');
      expect(execute(docs, { code, parameters, maxItemCount: 50 }).result, sql).toEqual(expected);
    }
  });

  it('scans 20,000 documents in linear time, in milliseconds (the per-document array copy takes seconds)', () => {
    const docs = documents(20_000);
    const { code } = compile('SELECT * FROM c WHERE c.partnerId = @p');
    const started = performance.now();
    const { result } = execute(docs, { code, parameters, maxItemCount: 10 });
    const elapsed = performance.now() - started;
    expect(result).toEqual(docs.filter((d) => d.partnerId === 'p3').slice(0, 10));
    // One pass takes about 5 ms; the quadratic wrapping takes seconds (about 3 s in plain Node on a fast machine).
    expect(elapsed).toBeLessThan(1_000);
  });
});

describe('the local emulator\u2019s batches', () => {
  let container: Container;

  beforeAll(() => {
    const env = stackEnv();
    const database = createCosmosDatabase(
      { endpoint: env.COSMOS_ENDPOINT ?? '', key: env.COSMOS_KEY, database: env.COSMOS_DATABASE ?? '', tlsInsecure: true },
      () => {
        throw new Error('no identity in tests');
      },
    );
    container = database.container('operations');
  });

  it('answer a failed atomic batch as Azure does: nothing written, the failing operation keeps its status, the others are 424', async () => {
    const partnerId = unique('p');
    await container.items.create({ id: 'taken', partnerId });
    const response = await container.items.batch(
      [
        { operationType: 'Create', partitionKey: partnerId, resourceBody: { id: 'new', partnerId } },
        { operationType: 'Upsert', partitionKey: partnerId, resourceBody: { id: 'upserted', partnerId } },
        { operationType: 'Create', partitionKey: partnerId, resourceBody: { id: 'taken', partnerId } },
      ],
      partnerId,
    );
    expect(response.result?.map((r) => r.statusCode)).toEqual([424, 424, 409]);
    expect((await container.item('new', partnerId).read()).statusCode).toBe(404);
    expect((await container.item('upserted', partnerId).read()).statusCode).toBe(404);
  });

  it('echo no documents under Prefer: return=minimal (contentResponseOnWriteEnabled: false), as Azure does', async () => {
    const partnerId = unique('p');
    const creates = (prefix: string): OperationInput[] =>
      [1, 2].map((i) => ({ operationType: 'Create', partitionKey: partnerId, resourceBody: { id: `${prefix}${i}`, partnerId } }));
    // items.bulk, as the enrolment renewals write with it.
    // eslint-disable-next-line @typescript-eslint/no-deprecated
    const minimal = await container.items.bulk(creates('m'), undefined, { contentResponseOnWriteEnabled: false });
    expect(minimal.map((r) => r.statusCode)).toEqual([201, 201]);
    expect(minimal.map((r) => r.resourceBody)).toEqual([undefined, undefined]);
    expect(minimal.every((r) => typeof r.eTag === 'string')).toBe(true);
    // eslint-disable-next-line @typescript-eslint/no-deprecated
    const full = await container.items.bulk(creates('f'));
    expect(full.map((r) => r.resourceBody?.id)).toEqual(['f1', 'f2']);
  });
});
