/**
 * Counts the requests the data adapters send to Cosmos DB, by kind. Latency on Azure is round trips
 * times the network's round-trip time, so this is what an operation costs in time; the round-trip
 * test (test/round-trips.test.ts) holds every operation to its entry in docs/round-trips.md.
 */
export class CosmosRequestCounter {
  total = 0;
  readonly byKind = new Map<string, number>();

  count(kind: string): void {
    this.total++;
    this.byKind.set(kind, (this.byKind.get(kind) ?? 0) + 1);
  }

  reset(): void {
    this.total = 0;
    this.byKind.clear();
  }
}

export const uncounted: Pick<CosmosRequestCounter, 'count'> = { count() {} };
