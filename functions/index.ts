// The function app's entry point (package.json "main"): every function of the suite, registered with
// `@azure/functions`. The Azure host and the local host both load exactly this file.
import '../shared/platform/app-setup.js';
import './health.js';
import './openapi.js';
import './partners-put.js';
import './verification-get.js';
import './verification-email-resend.js';
import './verification-email-confirm.js';
import './verification-documents-upload.js';
import './verification-documents-list.js';
import './verification-document-get.js';
import './verification-decisions.js';
