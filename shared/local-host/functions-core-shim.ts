import { createRequire } from 'node:module';

/** A binding as `@azure/functions` describes it to the host (`toCoreFunctionMetadata`). */
interface BindingInfo {
  type: string;
  direction: 'in' | 'out';
  name?: string;
  route?: string;
  methods?: string[];
  authLevel?: string;
  queueName?: string;
  connection?: string;
  schedule?: string;
  runOnStartup?: boolean;
  useMonitor?: boolean;
  [key: string]: unknown;
}

export interface RegisteredFunction {
  name: string;
  bindings: Record<string, BindingInfo>;
  /** The user's handler, exactly as passed to `app.http` / `app.storageQueue` / `app.timer`. */
  callback: (...args: unknown[]) => unknown;
}

export interface FunctionsCore {
  registrations: RegisteredFunction[];
  /** The trigger binding of a registration (the one whose type ends in `Trigger`). */
  triggerOf(fn: RegisteredFunction): BindingInfo;
}

const moduleId = '@azure/functions-core';
const virtualPath = '/virtual/@azure/functions-core/index.js';
let installed: FunctionsCore | undefined;

interface ModuleInternals {
  _resolveFilename(request: string, ...rest: unknown[]): string;
  _cache: Record<string, unknown>;
}

/**
 * Supplies the module the real Functions worker provides, so that the unchanged `app.*` calls of the
 * function table register here exactly as they would with the Azure Functions host (same metadata,
 * same handler objects). Must run before `@azure/functions` is first used in the process.
 */
export function installFunctionsCore(): FunctionsCore {
  if (installed) return installed;
  const registrations: RegisteredFunction[] = [];
  const api = {
    version: 'local-host',
    hostVersion: '4.1000.0',
    registerFunction(metadata: { name: string; bindings: Record<string, BindingInfo> }, callback: RegisteredFunction['callback']) {
      if (registrations.some((r) => r.name === metadata.name)) throw new Error(`function ${metadata.name} registered twice`);
      registrations.push({ name: metadata.name, bindings: metadata.bindings, callback });
      return {
        dispose: () =>
          registrations.splice(
            registrations.findIndex((r) => r.name === metadata.name),
            1,
          ),
      };
    },
    setProgrammingModel() {},
    getProgrammingModel() {
      return undefined;
    },
    registerHook() {
      return { dispose() {} };
    },
    log() {},
  };

  const require = createRequire(import.meta.url);
  const Module = require('node:module') as ModuleInternals;
  const resolve = Module._resolveFilename.bind(Module);
  Module._resolveFilename = (request: string, ...rest: unknown[]) => (request === moduleId ? virtualPath : resolve(request, ...rest));
  Module._cache[virtualPath] = { id: virtualPath, filename: virtualPath, loaded: true, exports: api, children: [], paths: [] };

  installed = {
    registrations,
    triggerOf(fn) {
      const trigger = Object.values(fn.bindings).find((b) => b.direction === 'in' && b.type.endsWith('Trigger'));
      if (!trigger) throw new Error(`function ${fn.name} has no trigger binding`);
      return trigger;
    },
  };
  return installed;
}
