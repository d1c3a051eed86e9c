import type { Services } from '../composition-root.js';
import type { Partner } from '../domain/partner.js';

/** VER-6: the email-ownership email with its one-time link; the key makes a retried send idempotent. */
export async function sendVerificationEmail(services: Services, partner: Partner, token: string, tokenHash: string): Promise<void> {
  const link = new URL(services.config.VERIFICATION_LINK_BASE);
  link.searchParams.set('token', token);
  const contact = partner.primaryContact;
  const days = Math.round(services.config.VERIFICATION_TOKEN_TTL_HOURS / 24);
  await services.email.send({
    idempotencyKey: `email-verification:${tokenHash}`,
    type: 'EmailVerification',
    to: [{ address: contact.email, displayName: `${contact.firstName} ${contact.lastName}` }],
    subject: 'Verify your email address for Partner Center',
    plainText: [
      `Hello ${contact.firstName},`,
      '',
      `Please confirm that ${contact.email} is a monitored work address of ${partner.companyName} by opening this link:`,
      link.toString(),
      '',
      `The link works once and expires in ${days} days. If you did not expect this email, you can ignore it.`,
    ].join('\n'),
  });
}
