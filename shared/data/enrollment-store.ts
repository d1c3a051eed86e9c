import type { JSONObject, OperationInput } from '@azure/cosmos';
import type { Enrollment } from '../domain/incentives.js';
import type { RenewalSource } from '../domain/rollover.js';
import type { EnrollmentDoc, EnrollmentStore, Page } from '../use-cases/ports.js';
import { ContainerStore } from './repository.js';

/** The `enrollments` container: per partner partition, its incentive enrolments and the emails they owe. */
export class CosmosEnrollmentStore extends ContainerStore<EnrollmentDoc> implements EnrollmentStore {
  private async enrollments(partnerId: string, where: string, parameters: { name: string; value: string | number }[]): Promise<Enrollment[]> {
    const docs = await this.repo.queryAll(
      {
        query: `SELECT * FROM c WHERE c.partnerId = @partnerId AND c.type = @type${where}`,
        parameters: [{ name: '@partnerId', value: partnerId }, { name: '@type', value: 'enrollment' }, ...parameters],
      },
      { partnerId },
    );
    return docs.filter((d): d is Enrollment => d.type === 'enrollment');
  }

  ofYear(partnerId: string, fiscalYear: number): Promise<Enrollment[]> {
    return this.enrollments(partnerId, ' AND c.fiscalYear = @fiscalYear ORDER BY c.id', [{ name: '@fiscalYear', value: fiscalYear }]);
  }

  everyYear(partnerId: string): Promise<Enrollment[]> {
    return this.enrollments(partnerId, ' ORDER BY c.id', []);
  }

  awaitingInvitation(partnerId: string): Promise<Enrollment[]> {
    return this.enrollments(partnerId, ' AND c.status = @status AND c.openProgram = false AND NOT IS_DEFINED(c.invitationSentAt)', [
      { name: '@status', value: 'Invited' },
    ]);
  }

  async renewalsInto(partnerId: string, fiscalYear: number): Promise<Enrollment[]> {
    const renewals = await this.enrollments(partnerId, ' AND c.fiscalYear = @fiscalYear AND IS_DEFINED(c.renewedFrom)', [
      { name: '@fiscalYear', value: fiscalYear },
    ]);
    return renewals.sort((a, b) => a.id.localeCompare(b.id));
  }

  async renewalSources(
    fiscalYear: number,
    page: { size: number; continuationToken: string | undefined },
  ): Promise<Page<RenewalSource> & { requestCharge: number }> {
    let requestCharge = 0;
    const metered = this.repo.withChargeListener((ru) => {
      requestCharge += ru;
    });
    // Only the fields a renewal is decided from (and the id): a page of whole documents, system
    // properties and all, is about twice the bytes to receive and parse.
    const result = await metered.queryPage<RenewalSource>(
      {
        query:
          'SELECT c.id, c.partnerId, c.enrollmentId, c.programId, c.locationPartnerId, c.fiscalYear, c.status, c.openProgram, c.bankProfileId, c.taxProfileId ' +
          'FROM c WHERE c.type = @type AND c.fiscalYear = @fiscalYear',
        parameters: [
          { name: '@type', value: 'enrollment' },
          { name: '@fiscalYear', value: fiscalYear },
        ],
      },
      { pageSize: page.size, continuationToken: page.continuationToken },
    );
    return { ...result, requestCharge };
  }

  async createRenewals(renewals: readonly Enrollment[]): Promise<{ failed: number; existing: ReadonlySet<string>; requestCharge: number }> {
    let failed = 0;
    const existing = new Set<string>();
    let requestCharge = 0;
    for (let i = 0; i < renewals.length; i += 100) {
      const chunk = renewals.slice(i, i + 100);
      // An enrolment is plain JSON already (strings, numbers, booleans, arrays): no copy needed.
      const operations: OperationInput[] = chunk.map((r) => ({ operationType: 'Create', partitionKey: r.partnerId, resourceBody: r as object as JSONObject }));
      // The created documents are not needed back: less to send, parse and hold (Prefer: return=minimal).
      const results = await bulkWithRetry(() => {
        this.repo.countRequest('bulk');
        // executeBulkOperations is the SDK's newer call, but the local emulator answers it with 500.
        // eslint-disable-next-line @typescript-eslint/no-deprecated -- see above
        return this.repo.container.items.bulk(operations, undefined, { contentResponseOnWriteEnabled: false });
      });
      results.forEach((r, index) => {
        if (r.statusCode === 409) existing.add(chunk[index]?.id ?? '');
        else if (r.statusCode >= 400) failed++;
      });
      requestCharge += results.reduce((sum, r) => sum + r.requestCharge, 0);
    }
    return { failed, existing, requestCharge };
  }
}

/**
 * A bulk call that failed on the network (a reset connection, no HTTP status) is tried again: its
 * creates carry deterministic ids, so a repeat writes nothing twice.
 */
async function bulkWithRetry<T>(call: () => Promise<T>, attempts = 4): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const status = (error as { code?: unknown }).code;
      if (typeof status === 'number' || attempt >= attempts) throw error;
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
  }
}
