import { readFile } from 'node:fs/promises';
import type { JSONWebKeySet, JWTVerifyGetKey } from 'jose';
import * as z from 'zod';
import { roles, type Principal, type Role } from '../domain/roles.js';
import type { VerificationGate } from '../domain/verification.js';
import { AppError } from './errors.js';

/**
 * Who may call a route. `partnerParam` names the route parameter that must equal the token's
 * partnerId (ACC-3), except for PlatformOperator, which may act on any partner. `verification` is what
 * the partner's account verification must allow first (VER-7, VER-11); see verificationGateOf.
 */
export type AccessRule = { anonymous: true } | { roles: readonly Role[]; partnerParam?: string; verification?: VerificationGate };

/**
 * The verification gate of a route. Unless the route declares one, every route that changes state for
 * a partner (any method but GET, with a partner parameter) is `notSuspended` (VER-7): a route added
 * later is gated without saying so, and an exception is declared where it is made.
 */
export function verificationGateOf(method: string, rule: AccessRule): VerificationGate {
  if ('anonymous' in rule || rule.partnerParam === undefined) return 'none';
  return rule.verification ?? (method === 'GET' ? 'none' : 'notSuspended');
}

export interface TokenVerifier {
  verify(token: string): Promise<Principal>;
}

const claimsSchema = z.object({
  sub: z.string().min(1),
  oid: z.string().min(1).optional(),
  partnerId: z.string().min(1).optional(),
  // Unknown roles are ignored rather than rejected: Entra may add roles this API does not use.
  roles: z.array(z.string()).default([]),
  email: z.string().optional(),
  preferred_username: z.string().optional(),
});

export interface JwtVerifierOptions {
  issuer: string;
  audience: string;
  jwksUri?: string | undefined;
  jwksFile?: string | undefined;
}

/**
 * Validates signature, issuer, audience and expiry; every failure is the same 401 to the caller.
 * jose is loaded on the first verification, not at import, to keep the function app's cold start short.
 */
export function createJwtVerifier(options: JwtVerifierOptions): TokenVerifier {
  // A token verified once stays valid until it expires: remember the result (at most 5 minutes, so a
  // key rotation is honoured soon), keyed by the token itself, bounded in size.
  const verified = new Map<string, { principal: Principal; until: number }>();
  const maxCached = 10_000;
  let keys: Promise<JWTVerifyGetKey> | undefined;
  const jose = () => import('jose');
  const getKeys = (): Promise<JWTVerifyGetKey> => {
    keys ??= jose().then(async ({ createLocalJWKSet, createRemoteJWKSet }) =>
      options.jwksUri
        ? createRemoteJWKSet(new URL(options.jwksUri))
        : createLocalJWKSet(JSON.parse(await readFile(options.jwksFile ?? '', 'utf8')) as JSONWebKeySet),
    );
    return keys;
  };
  return {
    async verify(token) {
      const hit = verified.get(token);
      if (hit && hit.until > Date.now()) return hit.principal;
      if (hit) verified.delete(token);
      const { errors: joseErrors, jwtVerify } = await jose();
      let payload: unknown;
      try {
        ({ payload } = await jwtVerify(token, await getKeys(), {
          issuer: options.issuer,
          audience: options.audience,
          clockTolerance: 30,
        }));
      } catch (error) {
        if (error instanceof joseErrors.JOSEError) throw AppError.unauthorized('The bearer token is invalid or expired.');
        throw error;
      }
      const claims = claimsSchema.safeParse(payload);
      if (!claims.success) throw AppError.unauthorized('The bearer token lacks required claims.');
      const known = new Set<string>(roles);
      const principal: Principal = {
        userId: claims.data.oid ?? claims.data.sub,
        partnerId: claims.data.partnerId,
        roles: new Set(claims.data.roles.filter((r): r is Role => known.has(r))),
        email: claims.data.email ?? claims.data.preferred_username,
      };
      const expiresAt = typeof (payload as { exp?: unknown }).exp === 'number' ? (payload as { exp: number }).exp * 1000 : Date.now();
      verified.set(token, { principal, until: Math.min(expiresAt, Date.now() + 5 * 60_000) });
      if (verified.size > maxCached) verified.delete(verified.keys().next().value ?? '');
      return principal;
    },
  };
}

/** Reads `Authorization: Bearer …`; anything else is treated as no token. */
export function bearerToken(headers: Headers): string | undefined {
  const value = headers.get('authorization');
  const match = value ? /^Bearer\s+(\S+)\s*$/i.exec(value) : null;
  return match?.[1];
}

/** The single place where role and tenant rules are enforced for every route. */
export function authorize(principal: Principal, rule: Exclude<AccessRule, { anonymous: true }>, params: Record<string, string>): void {
  if (!rule.roles.some((role) => principal.roles.has(role))) {
    throw AppError.forbidden(`This operation requires one of the roles: ${rule.roles.join(', ')}.`);
  }
  if (rule.partnerParam === undefined || principal.roles.has('PlatformOperator')) return;
  const target = params[rule.partnerParam];
  if (principal.partnerId === undefined || principal.partnerId !== target) {
    throw AppError.forbidden('The token does not grant access to this partner.');
  }
}
