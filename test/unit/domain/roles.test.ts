import { describe, expect, it } from 'vitest';
import { roleSchema, roles } from '../../../shared/domain/roles.js';

describe('roles', () => {
  it('ACC-3: the roles a token may carry, PlatformOperator included for upstream systems and operators', () => {
    expect(roles).toEqual([
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
    ]);
  });

  it('ACC-3: a role is one of them, spelled exactly', () => {
    for (const role of roles) expect(roleSchema.parse(role)).toBe(role);
    for (const other of ['globaladmin', 'Admin', 'IncentiveAdmin ', '']) expect(roleSchema.safeParse(other).success).toBe(false);
  });
});
