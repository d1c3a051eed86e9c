import * as z from 'zod';

/** ACC-3: the roles a token may carry. PlatformOperator is for upstream systems and operators. */
export const roles = [
  'GlobalAdmin',
  'AccountAdmin',
  'PartnerAdmin',
  'Manager',
  'Owner',
  'IncentiveAdmin',
  'AdminAgent',
  'SalesAgent',
  'ReferralAdmin',
  'PlatformOperator',
] as const;
export type Role = (typeof roles)[number];
export const roleSchema = z.enum(roles);

/** Who acts: a user of one partner (ACC-3), or an upstream system acting on any partner. */
export interface Principal {
  /** `oid` when present (stable across apps in Entra ID), else `sub`. */
  userId: string;
  /** The partner the user belongs to; absent for PlatformOperator tokens. */
  partnerId: string | undefined;
  roles: ReadonlySet<Role>;
  email: string | undefined;
}
