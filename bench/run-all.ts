// `npm run bench`: every benchmark, each a ratio of ours against a bare baseline measured in the same
// run. Results go to stdout and .local/bench-results.json; docs/benchmarks.md holds the current figures.
import { writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { projectRoot } from '../shared/local-host/project-root.js';
import { benchAttestationBurst } from './attestation-burst.js';
import { benchColdStart } from './cold-start.js';
import { benchHttpThroughput } from './http-throughput.js';
import { benchVerification } from './verification.js';

const results: Record<string, unknown> = {
  measuredAt: new Date().toISOString(),
  node: process.version,
  httpThroughput: await benchHttpThroughput(),
  coldStart: benchColdStart(),
  verification: await benchVerification(),
  attestationBurst: await benchAttestationBurst(),
};
console.log(JSON.stringify(results, null, 2));
await mkdir(join(projectRoot(), '.local'), { recursive: true });
await writeFile(join(projectRoot(), '.local/bench-results.json'), JSON.stringify(results, null, 2));
