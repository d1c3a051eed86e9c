import type { BusinessProfile, Lead } from '../domain/business-profiles.js';
import type { Page, ProfileDoc, ProfileStore } from '../use-cases/ports.js';
import type { ContinuationTokens } from './continuation-tokens.js';
import { ContainerStore, type Repository } from './repository.js';

/** `lookups` document that finds a profile's owner from its public id (the leads route names no partner). */
export interface ProfileLookup {
  id: 'profile';
  partnerId: string;
  type: 'profileLookup';
  ownerPartnerId: string;
}

const lookupKey = (profileId: string) => `profile:${profileId}`;

/** The `profiles` container (profiles, their location claims, leads) and the public-id lookups. */
export class CosmosProfileStore extends ContainerStore<ProfileDoc> implements ProfileStore {
  constructor(
    repo: Repository<ProfileDoc>,
    private readonly lookups: Repository<ProfileLookup>,
    private readonly tokens: ContinuationTokens,
  ) {
    super(repo);
  }

  async profiles(partnerId: string): Promise<BusinessProfile[]> {
    const docs = await this.repo.queryAll(
      {
        query: 'SELECT * FROM c WHERE c.partnerId = @partnerId AND c.type = @type ORDER BY c.createdAt',
        parameters: [
          { name: '@partnerId', value: partnerId },
          { name: '@type', value: 'businessProfile' },
        ],
      },
      { partnerId },
    );
    return docs.filter((d): d is BusinessProfile => d.type === 'businessProfile');
  }

  async leads(
    partnerId: string,
    query: { managingPartnerIds?: readonly string[] | undefined; pageSize: number; continuationToken?: string | undefined },
  ): Promise<Page<Lead>> {
    const managing = query.managingPartnerIds ? [...query.managingPartnerIds].sort() : undefined;
    const filter = managing ? ' AND ARRAY_CONTAINS(@managing, c.managingPartnerId)' : '';
    // The token continues this partner's list (with this filter) only.
    const list = `leads:${partnerId}:${managing ? managing.join(',') : '*'}`;
    const page = await this.repo.queryPage(
      {
        query: `SELECT * FROM c WHERE c.partnerId = @partnerId AND c.type = @type${filter} ORDER BY c.receivedAt DESC`,
        parameters: [{ name: '@partnerId', value: partnerId }, { name: '@type', value: 'lead' }, ...(managing ? [{ name: '@managing', value: managing }] : [])],
      },
      { partnerId, pageSize: query.pageSize, continuationToken: this.tokens.open(list, query.continuationToken) },
    );
    return { items: page.items.filter((d): d is Lead => d.type === 'lead'), continuationToken: this.tokens.seal(list, page.continuationToken) };
  }

  async ownerOf(profileId: string): Promise<string | undefined> {
    return (await this.lookups.read(lookupKey(profileId), 'profile'))?.doc.ownerPartnerId;
  }

  async setOwner(profileId: string, partnerId: string): Promise<void> {
    await this.lookups.upsert({ id: 'profile', partnerId: lookupKey(profileId), type: 'profileLookup', ownerPartnerId: partnerId });
  }

  async forgetOwner(profileId: string): Promise<void> {
    await this.lookups.delete(lookupKey(profileId), 'profile');
  }
}
