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
  return async (functionName, input, init) => {
    const fn = registrations.find((r) => r.name === functionName);
    if (!fn) throw new Error(`no function named ${functionName}`);
    const context = new InvocationContext({
      invocationId: init.invocationId,
      functionName,
      triggerMetadata: init.triggerMetadata ?? {},
      logHandler: (level: LogLevel, ...args: unknown[]) => {
        if (level === 'trace' || level === 'debug') return;
        log(`[${functionName}] ${level}: ${args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ')}`);
      },
    });
    return await fn.callback(input, context);
  };
}
