// Runs in every test worker before its tests: points the composition root at the run's emulators
// (through vi.stubEnv, never by replacing process.env) and supplies @azure/functions-core so that the
// function table's app.* calls register, as they do in the local host.
import { inject, vi } from 'vitest';
import { installFunctionsCore } from '../shared/local-host/functions-core-shim.js';

for (const [name, value] of Object.entries(inject('stackEnv'))) vi.stubEnv(name, value);
installFunctionsCore();
