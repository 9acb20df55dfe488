// Tokens of API and CLI clients: short-lived access JWTs (EdDSA, jose) and opaque refresh tokens
// that rotate on every use. Presenting a used refresh token again revokes its whole family, since one
// of its holders must be a thief (RFC 6749 §10.4, OAuth 2.0 Security BCP §4.14.2).
import type { MikroORM } from '@mikro-orm/core'
import { jwtVerify, SignJWT } from 'jose'
import { randomUUID } from 'node:crypto'
import type { Audit } from './audit.js'
import { RefreshToken, User } from './entities.js'
import { InvalidGrant } from './errors.js'
import { LIFETIME } from './lifetimes.js'
import { hashToken, newToken, TOKEN_PREFIX, type ServerKeys } from './secrets.js'

export interface TokenPair {
  access_token: string
  token_type: 'Bearer'
  expires_in: number
  refresh_token: string
}

export interface TokenDeps { orm: MikroORM, keys: ServerKeys, issuer: string, audit: Audit }

export type Tokens = ReturnType<typeof createTokens>

export function createTokens ({ orm, keys, issuer, audit }: TokenDeps) {
  const { kid, privateKey, publicKey } = keys.signing

  async function accessToken (userId: string): Promise<string> {
    return await new SignJWT({})
      .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'at+jwt' })
      .setIssuer(issuer)
      .setAudience(issuer)
      .setSubject(userId)
      .setJti(randomUUID())
      .setIssuedAt()
      .setExpirationTime(`${LIFETIME.accessTokenSeconds}s`)
      .sign(privateKey)
  }

  async function issue (userId: string, familyId: string): Promise<TokenPair> {
    const em = orm.em.fork()
    const refresh = newToken(TOKEN_PREFIX.refresh)
    em.create(RefreshToken, {
      id: randomUUID(),
      tokenHash: hashToken(refresh),
      familyId,
      user: em.getReference(User, userId),
      createdAt: new Date(),
      expiresAt: new Date(Date.now() + LIFETIME.refreshToken)
    })
    await em.flush()
    return { access_token: await accessToken(userId), token_type: 'Bearer', expires_in: LIFETIME.accessTokenSeconds, refresh_token: refresh }
  }

  return {
    /** A new family: after a password grant. */
    issue: async (userId: string): Promise<TokenPair> => await issue(userId, randomUUID()),

    async refresh (token: string, ip: string): Promise<TokenPair> {
      const em = orm.em.fork()
      const found = await em.findOne(RefreshToken, { tokenHash: hashToken(token) })
      if (found === null || found.revokedAt != null || found.expiresAt.getTime() <= Date.now()) throw new InvalidGrant()
      // Marking it used is conditional, so of two concurrent uses exactly one wins and the other is reuse.
      const claimed = await em.nativeUpdate(RefreshToken, { id: found.id, usedAt: null }, { usedAt: new Date() })
      if (claimed === 0) {
        await em.nativeUpdate(RefreshToken, { familyId: found.familyId, revokedAt: null }, { revokedAt: new Date() })
        await audit.record({ type: 'token.reuse', userId: found.user.id, ip, details: { familyId: found.familyId } })
        throw new InvalidGrant()
      }
      return await issue(found.user.id, found.familyId)
    },

    /**
     * Whom an access token was issued to, or null when it is not one of ours or has expired. Tokens
     * of the authorization server carry the scopes granted to their client (RFC 9068 §2.2.3); the
     * password grant's carry none and act with all of the user's scopes.
     */
    async verifyAccessToken (token: string): Promise<{ userId: string, scopes?: string[] } | null> {
      try {
        const { payload } = await jwtVerify(token, publicKey, { issuer, audience: issuer, algorithms: ['EdDSA'], typ: 'at+jwt' })
        if (payload.sub === undefined) return null
        return { userId: payload.sub, ...(typeof payload.scope === 'string' ? { scopes: payload.scope.split(' ') } : {}) }
      } catch {
        return null
      }
    },

    async revokeFamilyOf (token: string): Promise<void> {
      const em = orm.em.fork()
      const found = await em.findOne(RefreshToken, { tokenHash: hashToken(token) })
      if (found !== null) await em.nativeUpdate(RefreshToken, { familyId: found.familyId, revokedAt: null }, { revokedAt: new Date() })
    }
  }
}
