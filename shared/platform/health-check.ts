import type { Services } from '../composition-root.js';
import { allQueues } from '../use-cases/queues.js';

export interface HealthReport {
  healthy: boolean;
  checks: { name: 'cosmos' | 'storage' | 'email'; ok: boolean }[];
}

async function probe(run: () => Promise<unknown>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      run(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
      }),
    ]);
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** The email service counts as reachable when its endpoint answers HTTP at all (any status). */
function emailEndpointOf(services: Services): string {
  const { EMAIL_CONNECTION_STRING, EMAIL_ENDPOINT } = services.config;
  const fromConnection = EMAIL_CONNECTION_STRING ? /endpoint=([^;]+)/i.exec(EMAIL_CONNECTION_STRING)?.[1] : undefined;
  return fromConnection ?? EMAIL_ENDPOINT ?? '';
}

/** Probes Cosmos, Storage and the email service in parallel, each within a short timeout. */
export async function checkHealth(services: Services, timeoutMs = 3000): Promise<HealthReport> {
  const firstQueue = allQueues[0] ?? 'verification-decisions';
  const [cosmos, storage, email] = await Promise.all([
    probe(() => services.probes.cosmos(), timeoutMs),
    probe(() => services.probes.queue(firstQueue), timeoutMs),
    probe(async () => {
      const response = await fetch(emailEndpointOf(services), { method: 'GET', signal: AbortSignal.timeout(timeoutMs) });
      await response.body?.cancel();
    }, timeoutMs),
  ]);
  const checks: HealthReport['checks'] = [
    { name: 'cosmos', ok: cosmos },
    { name: 'storage', ok: storage },
    { name: 'email', ok: email },
  ];
  return { healthy: checks.every((c) => c.ok), checks };
}
