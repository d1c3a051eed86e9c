import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import type { Role } from '../domain/roles.js';

export const devIssuer = 'https://partner-portal.local/dev';
export const devAudience = 'api://partner-portal';
const algorithm = 'ES256';

export interface DevKeys {
  privateJwk: JWK;
  jwksFile: string;
}

/** The local stack's signing key: made on first use, kept in `.local/` (git-ignored), never committed. */
export async function ensureDevKeys(dir = resolve('.local')): Promise<DevKeys> {
  const keyFile = join(dir, 'dev-signing-key.json');
  const jwksFile = join(dir, 'dev-jwks.json');
  try {
    const privateJwk = JSON.parse(await readFile(keyFile, 'utf8')) as JWK;
    await readFile(jwksFile, 'utf8');
    return { privateJwk, jwksFile };
  } catch {
    await mkdir(dir, { recursive: true });
    const { privateKey, publicKey } = await generateKeyPair(algorithm, { extractable: true });
    const kid = randomUUID();
    const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: algorithm };
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: algorithm, use: 'sig' };
    await writeFile(keyFile, JSON.stringify(privateJwk), { mode: 0o600 });
    await writeFile(jwksFile, JSON.stringify({ keys: [publicJwk] }));
    return { privateJwk, jwksFile };
  }
}

export interface DevTokenClaims {
  partnerId?: string | undefined;
  roles: readonly Role[];
  userId?: string | undefined;
  email?: string | undefined;
  /** Seconds until expiry (default one hour); negative makes an already expired token. */
  expiresInSeconds?: number;
}

/** Signs a token the local stack accepts, shaped like an Entra ID access token. */
export async function signDevToken(privateJwk: JWK, claims: DevTokenClaims): Promise<string> {
  const key = await importJWK(privateJwk, algorithm);
  const now = Math.floor(Date.now() / 1000);
  const userId = claims.userId ?? randomUUID();
  return new SignJWT({
    roles: [...claims.roles],
    oid: userId,
    ...(claims.partnerId ? { partnerId: claims.partnerId } : {}),
    ...(claims.email ? { email: claims.email } : {}),
  })
    .setProtectedHeader({ alg: algorithm, kid: privateJwk.kid ?? '', typ: 'JWT' })
    .setSubject(userId)
    .setIssuer(devIssuer)
    .setAudience(devAudience)
    .setIssuedAt(now)
    .setNotBefore(now - 5)
    .setExpirationTime(now + (claims.expiresInSeconds ?? 3600))
    .sign(key);
}
