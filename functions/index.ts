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
import './customers-put.js';
import './agreements-post.js';
import './agreements-get.js';
import './orders-post.js';
import './customer-agreement-events.js';
import './attestation-notifications.js';
import './attestation-notification-sweep.js';
import './notifications-sla.js';
import './csp-direct-bill-eligibility.js';
import './csp-support-plan.js';
import './users-put.js';
import './incentive-eligibility.js';
import './enrollments-get.js';
import './enrollment-enroll.js';
import './enrollment-validation.js';
