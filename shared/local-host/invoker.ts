import { InvocationContext, type LogLevel } from '../platform/azure-functions.js';
import type { RegisteredFunction } from './functions-core-shim.js';

interface InvocationInit {
  invocationId: string;
  /** Why the function runs, as the Functions host words it in its "Executing" line. */
  reason: string;
  triggerMetadata?: Record<string, unknown>;
  /** A line printed under "Executing" before the function's own logs (the queue's trigger details). */
  details?: string;
}

export type InvokeFunction = (functionName: string, input: unknown, init: InvocationInit) => Promise<unknown>;

export type HostLog = (line: string) => void;

/** The reasons the Functions host gives, per trigger kind. */
export const invocationReason = {
  http: (method: string, path: string) => `HTTP ${method} ${path}`,
  queue: (queueName: string) => `New queue message detected on '${queueName}'.`,
  timer: (at: Date, isPastDue: boolean) => `Timer fired at ${at.toISOString()}${isPastDue ? ' (past due)' : ''}`,
  admin: 'This function was programmatically called via the host APIs.',
} as const;

/**
 * Runs a registered handler with an InvocationContext whose logs go to the host's log, as on Azure,
 * and frames every invocation of every trigger kind the way `func start` does:
 *   Executing 'Functions.health' (Reason='HTTP GET /api/health', Id=...)
 *   [health] info: ...                                  (the function's own logs)
 *   Executed 'Functions.health' (Succeeded, Id=..., Duration=3ms)
 * A handler that throws is `Failed`, followed by the error's message; the error is rethrown, so the
 * trigger (queue retries, poison) decides what happens next.
 */
export function createInvoker(registrations: readonly RegisteredFunction[], log: HostLog): InvokeFunction {
  const byName = new Map(
    registrations.map((fn) => [
      fn.name,
      {
        fn,
        logHandler: (level: LogLevel, ...args: unknown[]) => {
          if (level === 'trace' || level === 'debug') return;
          log(`[${fn.name}] ${level}: ${args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ')}`);
        },
      },
    ]),
  );
  return async (functionName, input, init) => {
    const entry = byName.get(functionName);
    if (!entry) throw new Error(`no function named ${functionName}`);
    const context = new InvocationContext({
      invocationId: init.invocationId,
      functionName,
      triggerMetadata: init.triggerMetadata ?? {},
      logHandler: entry.logHandler,
    });
    const started = performance.now();
    log(`Executing 'Functions.${functionName}' (Reason='${init.reason}', Id=${init.invocationId})`);
    if (init.details) log(init.details);
    const executed = (outcome: string) =>
      log(`Executed 'Functions.${functionName}' (${outcome}, Id=${init.invocationId}, Duration=${Math.round(performance.now() - started)}ms)`);
    try {
      const result = await entry.fn.callback(input, context);
      executed('Succeeded');
      return result;
    } catch (error) {
      executed('Failed');
      log(`Exception while executing function: Functions.${functionName}. ${error instanceof Error ? error.message : String(error)}`);
      throw error;
    }
  };
}
