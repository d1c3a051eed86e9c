import type { Database } from '@azure/cosmos';
import type { AccountDoc, AgreementDoc, EnrollmentDoc, PartitionDoc, ProfileDoc, RolloverDoc } from '../use-cases/ports.js';
import { CosmosAgreementStore } from './agreement-store.js';
import { CosmosEnrollmentStore } from './enrollment-store.js';
import { CosmosOutboxStore } from './outbox-store.js';
import { PartnerStore } from './partner-store.js';
import { CosmosProfileStore, type ProfileLookup } from './profile-store.js';
import { CosmosRateLimits, type WindowCount } from './rate-limiter.js';
import { Repository } from './repository.js';
import { CosmosRolloverStore } from './rollover-store.js';

/** Every port the Cosmos DB containers back, over one database. */
export function cosmosStores(database: Database, snapshotMs: number) {
  const partners = new Repository<AccountDoc>(database.container('partners'));
  const agreements = new Repository<AgreementDoc>(database.container('agreements'));
  const enrollments = new Repository<EnrollmentDoc>(database.container('enrollments'));
  const any = <T extends PartitionDoc>(repo: Repository<T>) => repo as unknown as Repository<PartitionDoc & { type: string }>;
  return {
    accounts: new PartnerStore(partners, snapshotMs),
    agreements: new CosmosAgreementStore(agreements),
    enrollments: new CosmosEnrollmentStore(enrollments),
    rollovers: new CosmosRolloverStore(new Repository<RolloverDoc>(database.container('operations'))),
    profiles: new CosmosProfileStore(new Repository<ProfileDoc>(database.container('profiles')), new Repository<ProfileLookup>(database.container('lookups'))),
    outbox: new CosmosOutboxStore({ accounts: any(partners), agreements: any(agreements), enrollments: any(enrollments) }),
    rateLimits: new CosmosRateLimits(new Repository<WindowCount>(database.container('lookups'))),
  };
}
