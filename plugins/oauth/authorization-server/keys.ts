// Keys of the authorization server. ID tokens are signed with ES256 (P-256): supported by current
// OpenID Connect relying parties, and made in a millisecond where an RSA key takes seconds on a busy
// host at first start. Access tokens for our API use the Ed25519 key the API already verifies
// (oauth-keys.json), so one verifier serves tokens from both the password grant and this server.
import type { JWK } from 'oidc-provider'
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { loadKeyFile, type ServerKeys } from '../secrets.js'

export const AUTHORIZATION_SERVER_KEY_FILE = 'oidc-keys.json'

interface StoredKeys { idTokenKey: JWK, cookieKey: string }

export interface AuthorizationServerKeys {
  jwks: { keys: JWK[] }
  /** Sign oidc-provider's cookies (interaction, session). */
  cookieKeys: string[]
}

export async function loadAuthorizationServerKeys (dataDir: string, serverKeys: ServerKeys): Promise<AuthorizationServerKeys> {
  const stored = await loadKeyFile<StoredKeys>(dataDir, AUTHORIZATION_SERVER_KEY_FILE, () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    return {
      idTokenKey: { ...privateKey.export({ format: 'jwk' }), kid: randomBytes(8).toString('hex'), alg: 'ES256', use: 'sig' },
      cookieKey: randomBytes(32).toString('base64url')
    }
  })
  const { kid, privateKey } = serverKeys.signing
  const accessTokenKey: JWK = { ...privateKey.export({ format: 'jwk' }), kid, alg: 'EdDSA', use: 'sig' }
  return { jwks: { keys: [stored.idTokenKey, accessTokenKey] }, cookieKeys: [stored.cookieKey] }
}
