// Issue 2 benchmark: requests/s through the local host to a trivial function vs bare node:http doing
// the same work, in one run: both servers up, measured in alternating rounds, medians compared.
// Goal: ratio >= 0.7.
import { loadGenerator, median, ratio, requestsPerSecond, startFunctionHost, startServer } from './support.js';

export async function benchHttpThroughput(rounds = 3, seconds = 4, connections = 50): Promise<Record<string, unknown>> {
  const bare = await startServer('./servers/bare-http.ts');
  const host = await startFunctionHost('./servers/trivial-host.ts');
  const rps = { bare: [] as number[], host: [] as number[] };
  const p99 = { bare: [] as number[], host: [] as number[] };
  let failures = 0;
  try {
    for (let round = 0; round < rounds; round++) {
      for (const [name, server] of [
        ['bare', bare],
        ['host', host],
      ] as const) {
        const result = await requestsPerSecond(`http://127.0.0.1:${server.port}/api/trivial`, connections, seconds);
        rps[name].push(Math.round(result.rps));
        p99[name].push(result.p99Ms);
        failures += result.failures;
      }
    }
  } finally {
    await Promise.all([bare.stop(), host.stop()]);
  }
  if (failures > 0) throw new Error(`${failures} failed requests during the benchmark`);
  return {
    loadGenerator,
    connections,
    rounds,
    secondsPerRound: seconds,
    bareRps: rps.bare,
    hostRps: rps.host,
    bareP99Ms: median(p99.bare),
    hostP99Ms: median(p99.host),
    ratio: ratio(median(rps.host), median(rps.bare)),
    goal: '>= 0.7',
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await benchHttpThroughput(), null, 2));
}
