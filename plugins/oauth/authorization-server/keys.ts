// Keys of the authorization server. ID tokens are signed with RS256, which every OpenID Connect relying
// party must accept; access tokens for our API with the Ed25519 key the API already verifies
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
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    return {
      idTokenKey: { ...privateKey.export({ format: 'jwk' }), kid: randomBytes(8).toString('hex'), alg: 'RS256', use: 'sig' },
      cookieKey: randomBytes(32).toString('base64url')
    }
  })
  const { kid, privateKey } = serverKeys.signing
  const accessTokenKey: JWK = { ...privateKey.export({ format: 'jwk' }), kid, alg: 'EdDSA', use: 'sig' }
  return { jwks: { keys: [stored.idTokenKey, accessTokenKey] }, cookieKeys: [stored.cookieKey] }
}
