import type { Database } from '@azure/cosmos';
import type { AccountDoc, AgreementDoc, AssessmentDoc, EnrollmentDoc, PartitionDoc, ProfileDoc, RolloverDoc } from '../use-cases/ports.js';
import { CosmosAgreementStore } from './agreement-store.js';
import { CosmosEnrollmentStore } from './enrollment-store.js';
import { CosmosOutboxStore } from './outbox-store.js';
import { PartnerStore } from './partner-store.js';
import { CosmosProfileStore, type ProfileLookup } from './profile-store.js';
import { CosmosRateLimits, type WindowCount } from './rate-limiter.js';
import { Repository } from './repository.js';
import type { CosmosRequestCounter } from './request-meter.js';
import { ContinuationTokens } from './continuation-tokens.js';
import { CosmosAssessmentStore, CosmosRolloverStore } from './rollover-store.js';

/** Every port the Cosmos DB containers back, over one database. */
export function cosmosStores(database: Database, options: { snapshotMs: number; requests: CosmosRequestCounter; tokenSecret: string }) {
  const { snapshotMs, requests } = options;
  const repo = <T extends PartitionDoc>(name: string) => new Repository<T>(database.container(name), undefined, requests);
  const partners = repo<AccountDoc>('partners');
  const agreements = repo<AgreementDoc>('agreements');
  const enrollments = repo<EnrollmentDoc>('enrollments');
  const any = <T extends PartitionDoc>(repo: Repository<T>) => repo as unknown as Repository<PartitionDoc & { type: string }>;
  return {
    accounts: new PartnerStore(partners, snapshotMs),
    agreements: new CosmosAgreementStore(agreements),
    enrollments: new CosmosEnrollmentStore(enrollments),
    rollovers: new CosmosRolloverStore(repo<RolloverDoc>('operations')),
    assessments: new CosmosAssessmentStore(repo<AssessmentDoc>('operations')),
    profiles: new CosmosProfileStore(repo<ProfileDoc>('profiles'), repo<ProfileLookup>('lookups'), new ContinuationTokens(options.tokenSecret)),
    outbox: new CosmosOutboxStore({ accounts: any(partners), agreements: any(agreements), enrollments: any(enrollments) }),
    rateLimits: new CosmosRateLimits(repo<WindowCount>('lookups')),
  };
}
