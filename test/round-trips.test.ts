// Cosmos DB round trips per operation: every HTTP, queue and timer function is invoked once, the
// requests its adapters send are counted, and the count is held to its row in docs/round-trips.md (the
// single source of the numbers). An operation without a row, or a row nobody measures, fails too.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { getServices, overrideServices, type Services } from '../shared/composition-root.js';
import { newEnrollment, enrollmentIdOf, type Enrollment } from '../shared/domain/incentives.js';
import type { Role } from '../shared/domain/roles.js';
import { installFunctionsCore } from '../shared/local-host/functions-core-shim.js';
import type { PartnerStore } from '../shared/data/partner-store.js';
import { recordAgreementEvent } from '../shared/use-cases/agreements.js';
import { handleDirectBillEvent, planDirectBillAssessment, processAssessmentPage, recordFailedAssessmentPage } from '../shared/use-cases/direct-bill.js';
import { handleEligibility, handleProgramEvent, handleValidation } from '../shared/use-cases/incentives.js';
import { deliverIntent, sweepOutbox } from '../shared/use-cases/outbox.js';
import type { IntentRef, QueuePublisher } from '../shared/use-cases/ports.js';
import { queueNames } from '../shared/use-cases/queues.js';
import { planRollover, processRolloverPage, recordFailedPage, sendRolloverSummary, startRollover } from '../shared/use-cases/rollover.js';
import { handleVerificationDecision } from '../shared/use-cases/verification.js';
import { acceptPartnerTab, call, emailsTo, partnerBody, startTestHost, tokenFor, unique, type TestHost } from './support/harness.js';

// Legacy profiles can migrate only within 120 days of general availability: make that today.
vi.stubEnv('BUSINESS_PROFILES_GA_DATE', new Date().toISOString().slice(0, 10));

// ---------------------------------------------------------------------------------------------------
// The table of docs/round-trips.md

interface Row {
  requests: number;
  minimum: number;
}

function readTable(): Map<string, Row> {
  const text = readFileSync(fileURLToPath(new URL('../docs/round-trips.md', import.meta.url)), 'utf8');
  const rows = new Map<string, Row>();
  let inTable = false;
  for (const line of text.split('\n')) {
    const cells = line.trim().startsWith('|')
      ? line
          .trim()
          .replace(/^\||\|$/g, '')
          .split('|')
          .map((c) => c.trim())
      : undefined;
    if (!cells) {
      inTable = false;
      continue;
    }
    if (cells[0] === 'operation' && cells[1] === 'requests') {
      inTable = true;
      continue;
    }
    if (!inTable || /^:?-+:?$/.test(cells[0] ?? '')) continue;
    const [name, requests, minimum] = cells;
    const operation = (name ?? '').replace(/`/g, '');
    if (rows.has(operation)) throw new Error(`docs/round-trips.md: ${operation} has two rows`);
    rows.set(operation, { requests: Number(requests), minimum: Number(minimum) });
  }
  return rows;
}

const table = readTable();
const measured = new Map<string, { total: number; kinds: string }>();

/** The function an operation row belongs to: `putPartner (create)` → `putPartner`. */
const functionOf = (operation: string) => operation.replace(/\s*\(.*\)$/, '');

// ---------------------------------------------------------------------------------------------------
// The host: HTTP only. No queue listener or timer runs in this process, so a count is exactly that of
// the invocation measured; queue and timer functions are measured by calling their use case directly.
// Queue sends are recorded instead of sent (they are not Cosmos requests): nothing queued here is ever
// picked up by another function, here or in another test file's host, while a count is taken.

const queued: { queueName: string; message: unknown }[] = [];
const recordingQueues: QueuePublisher = {
  async send(queueName, message) {
    queued.push({ queueName, message });
  },
};
const lastQueued = (queueName: string): unknown => {
  const found = queued.filter((q) => q.queueName === queueName).at(-1);
  if (!found) throw new Error(`nothing queued on ${queueName}`);
  return found.message;
};

let host: TestHost;
let services: Services;
let restore: () => void = () => {};
const functions: { name: string; type: string }[] = [];

beforeAll(async () => {
  const core = installFunctionsCore();
  await import('../functions/index.js');
  for (const fn of core.registrations) if (!fn.name.startsWith('test-')) functions.push({ name: fn.name, type: core.triggerOf(fn).type });
  host = await startTestHost((fn) => !fn.name.startsWith('test-') && core.triggerOf(fn).type === 'httpTrigger');
  restore = await overrideServices({ queues: recordingQueues });
  services = await getServices();
});

afterAll(async () => {
  restore();
  await host?.stop();
  if (measured.size > 0) {
    const lines = [...measured].map(([op, m]) => `${op.padEnd(48)} ${String(m.total).padStart(3)}  ${m.kinds}`);
    console.info(`Cosmos DB requests per operation:\n${lines.join('\n')}`);
  }
});

/** Counts the Cosmos DB requests of `run` and holds them to the operation's row. */
async function measure<T>(operation: string, run: () => Promise<T>): Promise<T> {
  const counter = services.cosmosRequests;
  counter.reset();
  const result = await run();
  const total = counter.total;
  const kinds = [...counter.byKind].map(([k, n]) => `${k} ${n}`).join(', ');
  measured.set(operation, { total, kinds });
  const row = table.get(operation);
  expect(row, `docs/round-trips.md has no row for ${operation} (measured ${total}: ${kinds})`).toBeDefined();
  expect(total, `${operation}: ${kinds}`).toBeLessThanOrEqual(row?.requests ?? -1);
  return result;
}

/** An HTTP call that must answer `status`, measured. */
async function measureCall(operation: string, status: number, method: string, path: string, options: Parameters<typeof call>[3] = {}): Promise<Response> {
  const response = await measure(operation, () => call(host, method, path, options));
  if (response.status !== status) throw new Error(`${operation}: ${response.status} ${await response.text()}`);
  return response;
}

async function expectStatus(response: Response | Promise<Response>, status: number): Promise<Response> {
  const r = await response;
  if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${await r.text()}`);
  return r;
}

const operator = () => tokenFor({ roles: ['PlatformOperator'] });
const as = (partnerId: string, ...roles: Role[]) => tokenFor({ partnerId, roles, userId: `u-${roles.join('-')}` });
const today = () => new Date().toISOString().slice(0, 10);

async function newPartner(overrides: Record<string, unknown> = {}, partnerId = unique('RT')) {
  const body = partnerBody({
    locations: [{ partnerId: `${partnerId}-US`, country: 'US', active: true }],
    bankProfiles: [{ id: 'bank-us', locationPartnerId: `${partnerId}-US`, default: true, complete: true }],
    taxProfiles: [{ id: 'tax-us', locationPartnerId: `${partnerId}-US`, complete: true }],
    ...overrides,
  });
  await expectStatus(call(host, 'PUT', `/api/partners/${partnerId}`, { token: await operator(), body }), 201);
  return { partnerId, body, location: `${partnerId}-US`, email: body.primaryContact.email };
}

/** A date in a fiscal year nobody else uses, so a rollover here scans only this file's enrolments. */
const farFuture = new Date(Date.UTC(3000 + Math.floor(Math.random() * 5000), 0, 15));

// ---------------------------------------------------------------------------------------------------

describe('Cosmos DB requests per operation (docs/round-trips.md)', () => {
  it('partners: putPartner create, unchanged, changed', async () => {
    const partnerId = unique('RT');
    const body = partnerBody();
    await measureCall('putPartner (create)', 201, 'PUT', `/api/partners/${partnerId}`, { token: await operator(), body });
    await measureCall('putPartner (unchanged)', 200, 'PUT', `/api/partners/${partnerId}`, { token: await operator(), body });
    const changed = { ...body, agreementActive: false }; // not a legal detail: verification stays as it is
    await measureCall('putPartner (changed)', 200, 'PUT', `/api/partners/${partnerId}`, { token: await operator(), body: changed });
    const newContact = { ...changed, primaryContact: { ...body.primaryContact, phone: '+1 555 0111' } }; // Employment is checked again: email owed
    await measureCall('putPartner (changed, verification restarts)', 200, 'PUT', `/api/partners/${partnerId}`, { token: await operator(), body: newContact });
  });

  it('partner self-service: account, legal details, bank and tax profiles', async () => {
    const { partnerId, location } = await newPartner();
    const admin = await as(partnerId, 'GlobalAdmin');
    await measureCall('getPartner (snapshot expired)', 200, 'GET', `/api/partners/${partnerId}`, { token: admin });
    await measureCall('patchPartnerLegal (new company name)', 200, 'PATCH', `/api/partners/${partnerId}/legal`, {
      token: admin,
      body: { companyName: 'Contoso Group' },
    });
    await measureCall('patchPartnerLegal (new contact address, emailed)', 200, 'PATCH', `/api/partners/${partnerId}/legal`, {
      token: admin,
      body: { primaryContact: { email: `${unique('kai').toLowerCase()}@contoso.example` } },
    });
    await measureCall('patchPartnerLegal (unchanged)', 200, 'PATCH', `/api/partners/${partnerId}/legal`, {
      token: admin,
      body: { companyName: 'Contoso Group' },
    });
    await measureCall('putBankProfile (created, new default)', 201, 'PUT', `/api/partners/${partnerId}/bank-profiles/bank-2`, {
      token: admin,
      body: { locationPartnerId: location, default: true, accountHolderName: 'Contoso', accountNumber: '000123456789', bankCountry: 'US', currency: 'USD' },
    });
    await measureCall('putTaxProfile (created)', 201, 'PUT', `/api/partners/${partnerId}/tax-profiles/tax-2`, {
      token: admin,
      body: { locationPartnerId: location, taxCountry: 'US', taxId: '12-3456789' },
    });
  });

  it('verification: status page, email link, resend, upload, documents, decisions', async () => {
    const { partnerId, email } = await newPartner();
    const admin = await as(partnerId, 'GlobalAdmin');
    await measureCall('getVerification (snapshot expired)', 200, 'GET', `/api/partners/${partnerId}/verification`, { token: admin });
    await measureCall('getVerification (snapshot fresh)', 200, 'GET', `/api/partners/${partnerId}/verification`, { token: admin });

    const link = /token=([A-Za-z0-9_.%-]+)/.exec((await emailsTo(email))[0]?.message.content.plainText ?? '')?.[1];
    expect(link).toBeDefined();
    await measureCall('confirmVerificationEmail (accepted)', 200, 'POST', '/api/verification/email/confirm', {
      body: { token: decodeURIComponent(link ?? '') },
    });

    const other = await newPartner();
    const later = await overrideServices({ now: () => new Date(Date.now() + 16 * 60_000) }); // past the resend cooldown
    try {
      await measureCall('resendVerificationEmail (sent)', 202, 'POST', `/api/partners/${other.partnerId}/verification/email/resend`, {
        token: await as(other.partnerId, 'AccountAdmin'),
      });
    } finally {
      later();
    }

    const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n', 'latin1'), Buffer.alloc(2000, 0x20)]);
    const form = new FormData();
    form.append('check', 'Business');
    form.append('documentType', 'BusinessRegistration');
    form.append('file', new Blob([pdf], { type: 'application/pdf' }), 'registration.pdf');
    const uploaded = await measure('uploadVerificationDocument (small PDF)', () =>
      fetch(`${host.url}/api/partners/${partnerId}/verification/documents`, { method: 'POST', headers: { authorization: `Bearer ${admin}` }, body: form }),
    );
    await expectStatus(uploaded, 201);
    const { documentId } = (await uploaded.json()) as { documentId: string };
    await measureCall('listVerificationDocuments (one document)', 200, 'GET', `/api/partners/${partnerId}/verification/documents`, { token: admin });
    await measureCall('getVerificationDocument (with download link)', 200, 'GET', `/api/partners/${partnerId}/verification/documents/${documentId}`, {
      token: admin,
    });

    const decision = {
      decisionId: unique('d'),
      partnerId,
      check: 'Employment',
      tab: 'partner',
      outcome: 'Accepted',
      decidedAt: new Date().toISOString(),
    } as const;
    const applied = await measure('verificationDecisions (applied)', () => handleVerificationDecision(services, decision));
    expect(applied).toEqual({ applied: true, emailsSent: 1 });
    const repeated = await measure('verificationDecisions (repeated)', () => handleVerificationDecision(services, decision));
    expect(repeated).toEqual({ applied: false, emailsSent: 0 });
  });

  it('customers and agreements: customer, attestation, its email, acceptance, order, upstream event, sweep, SLA', async () => {
    const { partnerId } = await newPartner();
    await acceptPartnerTab(partnerId); // VER-11: buying needs the partner tab Accepted
    const customerId = unique('C');
    const agent = await as(partnerId, 'AdminAgent');
    const customer = {
      companyName: 'Fabrikam',
      primaryContact: { firstName: 'Kai', lastName: 'Ito', email: `${customerId.toLowerCase()}@fabrikam.example` },
      agreementOption: 'PartnerAttestation',
    };
    await measureCall('putCustomer (create)', 201, 'PUT', `/api/partners/${partnerId}/customers/${customerId}`, { token: agent, body: customer });
    const contact = { firstName: 'Kai', lastName: 'Ito', email: 'kai@fabrikam.example' };
    await measureCall('attestCustomerAgreement (attestation)', 201, 'POST', `/api/partners/${partnerId}/customers/${customerId}/agreements`, {
      token: agent,
      body: { type: 'MicrosoftCustomerAgreement', primaryContact: contact, dateAgreed: today() },
    });
    const owed = lastQueued(queueNames.emailOutbox) as IntentRef;
    expect(await measure('emailOutbox (sent)', () => deliverIntent(services, owed))).toBe('sent');
    await measureCall('getCustomerAgreements (provided)', 200, 'GET', `/api/partners/${partnerId}/customers/${customerId}/agreements`, { token: agent });
    await measureCall('placeCustomerOrder (accepted customer)', 201, 'POST', `/api/partners/${partnerId}/customers/${customerId}/orders`, {
      token: agent,
      body: { offerId: 'offer-1', quantity: 1 },
    });

    const event = {
      eventId: unique('ev'),
      partnerId,
      customerId,
      kind: 'PartnerAttestation',
      primaryContact: { ...contact, email: 'ana@fabrikam.example' },
      dateAgreed: today(),
      occurredAt: new Date().toISOString(),
    } as const;
    expect(await measure('customerAgreementEvents (attestation recorded and emailed)', () => recordAgreementEvent(services, event))).toEqual({
      recorded: true,
    });

    await measure('attestationNotificationSweep (one page per container)', () => sweepOutbox(services));
    await measureCall('getNotificationSla (last 24 hours)', 200, 'GET', '/api/operations/notifications/sla', { token: await operator() });
  });

  it('CSP direct bill: eligibility and support plan', async () => {
    const csp = {
      indirectResellerSince: '2024-01-15',
      trailing12MonthRevenueUsd: 350_000,
      supportPlan: 'Advanced',
      managedServices: 1,
      authorityToSign: true,
      firstLineSupport: true,
      infrastructure: true,
      capabilityAssessmentPassed: true,
      creditCheck: 'Passed',
    };
    const { partnerId } = await newPartner({ csp });
    const admin = await as(partnerId, 'GlobalAdmin');
    await measureCall('cspDirectBillEligibility (evaluated)', 200, 'POST', `/api/partners/${partnerId}/csp/direct-bill/eligibility`, { token: admin });
    await measureCall('cspSupportPlan (bought)', 201, 'POST', `/api/partners/${partnerId}/csp/direct-bill/support-plan`, {
      token: admin,
      body: { plan: 'Premier' },
    });
  });

  it('CSP direct bill: application, its status, a decision, the assessment timer, one page, a run', async () => {
    const csp = {
      indirectResellerSince: '2024-01-15',
      trailing12MonthRevenueUsd: 350_000,
      supportPlan: 'None',
      managedServices: 1,
      authorityToSign: true,
      firstLineSupport: true,
      infrastructure: true,
      capabilityAssessmentPassed: true,
      creditCheck: 'NotStarted',
    };
    const { partnerId } = await newPartner({ csp, cspModel: 'IndirectReseller' });
    const admin = await as(partnerId, 'GlobalAdmin');
    const applied = await measureCall('cspDirectBillApply (submitted)', 201, 'POST', `/api/partners/${partnerId}/csp/direct-bill/application`, {
      token: admin,
    });
    const { applicationId } = (await applied.json()) as { applicationId: string };
    await measureCall('cspDirectBillApplication (submitted)', 200, 'GET', `/api/partners/${partnerId}/csp/direct-bill/application`, { token: admin });
    const decided = await measure('directBillDecisions (credit check passed, emailed)', () =>
      handleDirectBillEvent(services, {
        eventId: unique('e'),
        partnerId,
        applicationId,
        event: 'CreditCheckPassed',
        occurredAt: new Date(Date.now() + 1000).toISOString(),
      }),
    );
    expect(decided).toMatchObject({ outcome: 'Applied', emailsSent: 1 });

    const runId = unique('run');
    const planned = await measure('directBillAssessment (run started)', () => planDirectBillAssessment(services, runId));
    expect(planned.started).toBe(true);
    // A DirectBill partner that no longer meets CSP-1. The page is the query's real page over this
    // shared database, narrowed to this partner: other files' DirectBill partners must not be suspended.
    const due = await newPartner({ csp: { ...csp, supportPlan: 'Advanced', trailing12MonthRevenueUsd: 1 } });
    const accounts = Object.assign(Object.create(services.accounts) as PartnerStore, {
      directBillPartners: async (page: Parameters<PartnerStore['directBillPartners']>[0]) => {
        const all = await services.accounts.directBillPartners(page);
        return { ...all, items: all.items.filter((p) => p.partnerId === due.partnerId), continuationToken: undefined };
      },
    });
    const page = await measure('directBillAssessmentPages (last page, one suspended)', () =>
      processAssessmentPage({ ...services, accounts }, { runId, page: 0 }, { pageSize: 100_000 }),
    );
    expect(page).toMatchObject({ alreadyDone: false, suspended: 1 });
    await measureCall('getDirectBillAssessment (completed)', 200, 'GET', `/api/operations/direct-bill-assessments/${runId}`, { token: await operator() });
    const broken = unique('run');
    await planDirectBillAssessment(services, broken);
    const poisoned = await measure('directBillAssessmentPagesPoison (recorded)', () => recordFailedAssessmentPage(services, { runId: broken, page: 0 }));
    expect(poisoned.recorded).toBe(true);
    const resumed = await measureCall('resumeDirectBillAssessment (one failed page)', 202, 'POST', `/api/operations/direct-bill-assessments/${broken}/resume`, {
      token: await operator(),
    });
    expect(((await resumed.json()) as { requeued: number[] }).requeued).toEqual([0]);
  });

  it('incentives: incentive admin, eligibility, listing, enrolment, validation', async () => {
    const { partnerId, location } = await newPartner();
    await measureCall('putPartnerUser (new incentive admin)', 201, 'PUT', `/api/partners/${partnerId}/users/ia-1`, {
      token: await as(partnerId, 'AccountAdmin'),
      body: { email: `ia.${partnerId.toLowerCase()}@contoso.example`, roles: ['IncentiveAdmin'], locationPartnerIds: [location] },
    });
    const event = {
      eventId: unique('e'),
      partnerId,
      locationPartnerId: location,
      programId: 'azure-growth',
      fiscalYear: 2027,
      eligible: true,
      openProgram: false,
    };
    const invited = await measure('incentiveEligibility (invited and emailed)', () => handleEligibility(services, event));
    expect(invited.invited).toBe(1);
    const incentiveAdmin = await as(partnerId, 'IncentiveAdmin');
    await measureCall('listIncentiveEnrollments (one year)', 200, 'GET', `/api/partners/${partnerId}/incentives/enrollments?fiscalYear=2027`, {
      token: incentiveAdmin,
    });
    const enrollmentId = enrollmentIdOf(location, 'azure-growth', 2027);
    await measureCall('getIncentiveEnrollment (with enrol options)', 200, 'GET', `/api/partners/${partnerId}/incentives/enrollments/${enrollmentId}`, {
      token: incentiveAdmin,
    });
    const enrolled = await measureCall(
      'enrollIncentive (to validation)',
      200,
      'POST',
      `/api/partners/${partnerId}/incentives/enrollments/${enrollmentId}/enroll`,
      { token: incentiveAdmin, body: {} },
    );
    expect(((await enrolled.json()) as { status: string }).status).toBe('ValidatingEnrollment');
    const validated = await measure('enrollmentValidation (enrolled)', () =>
      handleValidation(services, { eventId: unique('v'), partnerId, enrollmentId, valid: true }),
    );
    expect(validated.changed).toBe(true);
    // A program of its own: closing it shows Closed wherever it is enrolled, in every test file.
    const programId = unique('program').toLowerCase();
    await handleEligibility(services, { ...event, eventId: unique('e'), programId });
    const closed = await measure('incentivePrograms (closed)', () => handleProgramEvent(services, { eventId: unique('c'), programId, status: 'Closed' }));
    expect(closed.changed).toBe(true);
  });

  it('rollover: operator start, status, poison page, resume, timer, one page, one summary', async () => {
    const started = await measureCall('startRollover (dry run)', 202, 'POST', '/api/operations/rollovers', {
      token: await operator(),
      body: { fromFiscalYear: 2022, dryRun: true },
    });
    const { runId } = (await started.json()) as { runId: string };
    await measureCall('getRollover (running)', 200, 'GET', `/api/operations/rollovers/${runId}`, { token: await operator() });
    const poisoned = await measure('rolloverPagesPoison (recorded)', () => recordFailedPage(services, { runId, page: 0 }));
    expect(poisoned.recorded).toBe(true);
    const resumed = await measureCall('resumeRollover (one failed page)', 202, 'POST', `/api/operations/rollovers/${runId}/resume`, {
      token: await operator(),
    });
    expect(((await resumed.json()) as { requeued: number[] }).requeued).toEqual([0]);

    // A fiscal year of its own (far in the future), so the page holds exactly this test's enrolments.
    const future: Services = { ...services, now: () => farFuture };
    const planned = await measure('enrollmentRollover (run started)', () => planRollover(future));
    expect(planned.started).toBe(true);

    const fromFiscalYear = planned.runId === `fy${farFuture.getUTCFullYear() - 1}` ? farFuture.getUTCFullYear() - 1 : NaN;
    const { runId: pageRun } = await startRollover(future, { fromFiscalYear, dryRun: false, trigger: 'operator' });
    const partners = [await newPartner(), await newPartner()];
    for (const p of partners) {
      const enrollment = newEnrollment(
        {
          partnerId: p.partnerId,
          locationPartnerId: p.location,
          programId: 'azure-growth',
          fiscalYear: fromFiscalYear,
          status: 'Enrolled',
          openProgram: false,
        },
        farFuture,
      );
      await services.repository<Enrollment>('enrollments').create({ ...enrollment, bankProfileId: 'bank-us', taxProfileId: 'tax-us' });
    }
    const [first] = partners;
    if (!first) throw new Error('no partner');
    await expectStatus(
      call(host, 'PUT', `/api/partners/${first.partnerId}/users/ia`, {
        token: await as(first.partnerId, 'GlobalAdmin'),
        body: { email: `ia.${first.partnerId.toLowerCase()}@contoso.example`, roles: ['IncentiveAdmin'] },
      }),
      201,
    );
    const page = await measure('rolloverPages (last page: 2 enrolments of 2 partners)', () => processRolloverPage(future, { runId: pageRun, page: 0 }));
    expect(page.alreadyDone).toBe(false);
    const summary = await measure('rolloverSummaries (emailed)', () => sendRolloverSummary(future, { runId: pageRun, partnerId: first.partnerId }));
    expect(summary.sent).toBe(true);
  });

  it('business profiles and leads: create, list, get, public page, lead, leads, legacy import, migrate, delete', async () => {
    const partner = unique('RT');
    const { partnerId, location } = await newPartner(
      {
        locations: [
          { partnerId: `${partner}-US`, country: 'US', active: true },
          { partnerId: `${partner}-CA`, country: 'CA', active: true },
        ],
      },
      partner,
    );
    const admin = await as(partnerId, 'AccountAdmin');
    const content = { name: 'Contoso Cloud', description: 'Managed Microsoft 365 for small firms.' };
    const created = await measureCall('createBusinessProfile (one publish location)', 201, 'POST', `/api/partners/${partnerId}/business-profiles`, {
      token: admin,
      body: { managingPartnerId: location, kind: 'NonCSP', publishLocations: ['US'], sellMarkets: ['MX'], content },
    });
    const { profileId } = (await created.json()) as { profileId: string };
    await measureCall('listBusinessProfiles (one profile)', 200, 'GET', `/api/partners/${partnerId}/business-profiles`, { token: admin });
    await measureCall('getBusinessProfile (found)', 200, 'GET', `/api/partners/${partnerId}/business-profiles/${profileId}`, { token: admin });
    await measureCall('getPublishedProfile (found)', 200, 'GET', `/api/business-profiles/${profileId}`);
    await measureCall('updateBusinessProfile (content of a publish location)', 200, 'PATCH', `/api/partners/${partnerId}/business-profiles/${profileId}`, {
      token: admin,
      body: { localizedContent: { US: { name: 'Contoso Cloud US', description: '' } } },
    });
    await measureCall('businessProfileLocations (two countries)', 200, 'GET', `/api/partners/${partnerId}/business-profiles/locations?kind=NonCSP`, {
      token: admin,
    });
    const client = `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
    const lead = { contact: { name: 'Bo Chen', email: 'bo@fabrikam.example', company: 'Fabrikam' }, message: 'Please call us about Microsoft 365.' };
    await expectStatus(call(host, 'POST', `/api/business-profiles/${profileId}/leads`, { body: lead, headers: { 'x-forwarded-for': client } }), 202); // opens the client's window
    await measureCall('submitLead (rate window open)', 202, 'POST', `/api/business-profiles/${profileId}/leads`, {
      body: lead,
      headers: { 'x-forwarded-for': client },
    });
    await measureCall('listLeads (one page)', 200, 'GET', `/api/partners/${partnerId}/leads`, { token: await as(partnerId, 'ReferralAdmin') });

    const legacyId = unique('legacy');
    await measureCall('importLegacyBusinessProfile (created)', 201, 'PUT', `/api/partners/${partnerId}/legacy-business-profiles/${legacyId}`, {
      token: await operator(),
      body: { kind: 'NonCSP', publishLocations: ['CA'], sellMarkets: [], content, createdAt: '2023-05-01T10:00:00Z' },
    });
    await measureCall('migrateBusinessProfile (migrated)', 200, 'POST', `/api/partners/${partnerId}/business-profiles/${legacyId}/migrate`, {
      token: admin,
      body: { managingPartnerId: location },
    });
    await measureCall('deleteBusinessProfile (one publish location)', 204, 'DELETE', `/api/partners/${partnerId}/business-profiles/${profileId}`, {
      token: admin,
    });
  });

  it('every function has a row in docs/round-trips.md, and every row is measured', () => {
    const expected = functions.filter((f) => !['health', 'openapi', 'asyncapi', 'apiDocs', 'apiDocsAsset'].includes(f.name));
    expect(expected.length).toBeGreaterThan(30);
    const documented = new Set([...table.keys()].map(functionOf));
    const measuredFunctions = new Set([...measured.keys()].map(functionOf));
    for (const fn of expected) {
      expect(documented.has(fn.name), `${fn.name} (${fn.type}) has no row in docs/round-trips.md`).toBe(true);
      expect(measuredFunctions.has(fn.name), `${fn.name} (${fn.type}) is not measured`).toBe(true);
    }
    for (const [operation, row] of table) {
      expect(measured.has(operation), `the row ${operation} is not measured`).toBe(true);
      expect(Number.isInteger(row.requests) && Number.isInteger(row.minimum), `${operation}: requests and minimum are whole numbers`).toBe(true);
      expect(row.minimum, `${operation}: minimum ≤ requests`).toBeLessThanOrEqual(row.requests);
    }
  });
});
