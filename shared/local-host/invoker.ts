import { InvocationContext, type LogLevel } from '../platform/azure-functions.js';
import type { RegisteredFunction } from './functions-core-shim.js';

export type InvokeFunction = (
  functionName: string,
  input: unknown,
  init: { invocationId: string; triggerMetadata?: Record<string, unknown> },
) => Promise<unknown>;

export type HostLog = (line: string) => void;

/** Runs a registered handler with an InvocationContext whose logs go to the host's log, as on Azure. */
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
    return await entry.fn.callback(input, context);
  };
}
