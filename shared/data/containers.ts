/**
 * Every Cosmos container the suite uses. All tenant data is partitioned by `/partnerId`, so one
 * partner's documents are co-located (transactional batches, cheap single-partition queries) and no
 * query can reach another tenant without naming it. Infra and the local stack both read this table.
 */
export const containerDefinitions = [
  { id: 'partners', partitionKey: '/partnerId', purpose: 'partner account, its verification state and documents, users, customers' },
  { id: 'agreements', partitionKey: '/partnerId', purpose: 'customers, their agreements and the confirmation-email outbox' },
  { id: 'enrollments', partitionKey: '/partnerId', purpose: 'incentive enrolments' },
  { id: 'profiles', partitionKey: '/partnerId', purpose: 'business profiles and leads' },
  { id: 'operations', partitionKey: '/partnerId', purpose: 'operator runs (rollovers); partnerId is a run key' },
  {
    id: 'lookups',
    partitionKey: '/partnerId',
    // Items may carry `ttl` (rate-limit windows expire by themselves on Azure).
    defaultTtl: -1,
    purpose: 'lookups by a public key (business profile id \u2192 owning partner) and rate-limit windows; partnerId is the lookup key',
  },
] as const;

export type ContainerName = (typeof containerDefinitions)[number]['id'];
