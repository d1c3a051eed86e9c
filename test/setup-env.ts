// Runs in every test worker before its tests: points the composition root at the run's emulators
// (through vi.stubEnv, never by replacing process.env) and supplies @azure/functions-core so that the
// function table's app.* calls register, as they do in the local host. A test whose HTTP answers
// drifted from the OpenAPI document fails (test/support/contract.ts).
import { afterEach, inject, vi } from 'vitest';
import { installFunctionsCore } from '../shared/local-host/functions-core-shim.js';
import { takeContractViolations } from './support/contract.js';

for (const [name, value] of Object.entries(inject('stackEnv'))) vi.stubEnv(name, value);
installFunctionsCore();

afterEach(() => {
  const drift = takeContractViolations();
  if (drift.length > 0) throw new Error(`responses that do not conform to the OpenAPI document:\n${drift.join('\n')}`);
});
