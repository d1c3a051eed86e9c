// The function app's entry point (package.json "main"): every function of the suite, registered with
// `@azure/functions`. The Azure host and the local host both load exactly this file.
import '../shared/platform/app-setup.js';
import './health.js';
import './openapi.js';
