import { describe, expect, it } from 'vitest';
import { newEnrollment, type Enrollment } from '../../../shared/domain/incentives.js';
import type { Partner } from '../../../shared/domain/partner.js';
import type { UseCaseDeps } from '../../../shared/use-cases/ports.js';
import { queueNames } from '../../../shared/use-cases/queues.js';
import { processRolloverPage, rolloverStatus, startRollover, type PageMessage } from '../../../shared/use-cases/rollover.js';
import { partnerFixture } from '../domain/fixtures.js';
import { memoryDeps } from '../support/memory-ports.js';

const NOW = new Date('2025-09-01T12:00:00.000Z'); // fiscal year 2026: 2025 has ended

/** Ten enrolments of 2025: 6 renew Enrolled, 2 need action (incomplete tax), 2 are not eligible (inactive location). */
async function seed() {
  const memory = memoryDeps({ now: () => NOW });
  const partners: Partner[] = [
    partnerFixture({
      partnerId: 'P1',
      locations: [{ partnerId: 'P1-L', country: 'US', active: true }],
      taxProfiles: [{ id: 'tax-1', locationPartnerId: 'P1-L', complete: true }],
    }),
    partnerFixture({
      partnerId: 'P2',
      locations: [{ partnerId: 'P2-L', country: 'US', active: true }],
      taxProfiles: [{ id: 'tax-1', locationPartnerId: 'P2-L', complete: false }],
    }),
    partnerFixture({
      partnerId: 'P3',
      locations: [{ partnerId: 'P3-L', country: 'US', active: false }],
      taxProfiles: [{ id: 'tax-1', locationPartnerId: 'P3-L', complete: true }],
    }),
  ];
  for (const p of partners) {
    await memory.accounts.commit(p.partnerId, [
      { kind: 'create', doc: { ...p, bankProfiles: [{ id: 'bank-1', locationPartnerId: `${p.partnerId}-L`, default: true, complete: true }] } },
    ]);
  }
  const counts: Record<string, number> = { P1: 6, P2: 2, P3: 2 };
  for (const [partnerId, n] of Object.entries(counts)) {
    for (let i = 0; i < n; i++) {
      const e: Enrollment = {
        ...newEnrollment(
          { partnerId, locationPartnerId: `${partnerId}-L`, programId: `program-${i}`, fiscalYear: 2025, status: 'Enrolled', openProgram: false },
          NOW,
        ),
        bankProfileId: 'bank-1',
        taxProfileId: 'tax-1',
      };
      await memory.enrollments.commit(partnerId, [{ kind: 'create', doc: e }]);
    }
  }
  return memory;
}

/** Runs a rollover to its end: every queued page message, as the queue's workers would. */
async function run(deps: UseCaseDeps, queued: { queue: string; message: unknown }[]) {
  const { runId } = await startRollover(deps, { fromFiscalYear: 2025, dryRun: false, trigger: 'operator' });
  for (let message = queued.shift(); message; message = queued.shift()) {
    if (message.queue === queueNames.rolloverPages) {
      for (let attempt = 1; ; attempt++) {
        try {
          await processRolloverPage(deps, message.message as PageMessage);
          break;
        } catch (error) {
          if (attempt >= 5) throw error;
        }
      }
    }
  }
  return rolloverStatus(deps, runId);
}

describe('rollover counts (INC-5)', () => {
  it('INC-5: a first run counts what it created by status; a second run over the same year counts 0/0/0 and alreadyRenewed = N', async () => {
    const { deps, queued } = await seed();
    const first = await run(deps, queued);
    expect(first).toMatchObject({ status: 'Completed', scanned: 10, renewed: 6, actionRequired: 2, notEligible: 2, alreadyRenewed: 0, failed: 0 });
    const second = await run(deps, queued);
    expect(second).toMatchObject({ status: 'Completed', scanned: 10, renewed: 0, actionRequired: 0, notEligible: 0, alreadyRenewed: 10, failed: 0 });
  });

  it('INC-5: a page retried after a crash half-way through its writes counts its own earlier writes as this run\u2019s, exactly', async () => {
    const memory = await seed();
    const { deps, queued } = memory;
    const real = deps.enrollments.createRenewals.bind(deps.enrollments);
    let crashed = false;
    deps.enrollments.createRenewals = async (renewals) => {
      if (crashed) return real(renewals);
      crashed = true;
      await real(renewals.slice(0, 3));
      throw new Error('worker crashed half-way through the page');
    };
    const status = await run(deps, queued);
    expect(crashed).toBe(true);
    expect(status).toMatchObject({ scanned: 10, renewed: 6, actionRequired: 2, notEligible: 2, alreadyRenewed: 0, failed: 0 });
  });

  it('INC-5: a dry run writes nothing and counts what a first run would do', async () => {
    const { deps, queued, enrollments } = await seed();
    const before = enrollments.all().length;
    const { runId } = await startRollover(deps, { fromFiscalYear: 2025, dryRun: true, trigger: 'operator' });
    for (let message = queued.shift(); message; message = queued.shift()) {
      if (message.queue === queueNames.rolloverPages) await processRolloverPage(deps, message.message as PageMessage);
    }
    expect(await rolloverStatus(deps, runId)).toMatchObject({ dryRun: true, renewed: 6, actionRequired: 2, notEligible: 2, alreadyRenewed: 0 });
    expect(enrollments.all().length).toBe(before);
  });
});
