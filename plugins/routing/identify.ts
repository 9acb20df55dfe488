// Who is asking on an instance host: a personal API token or access token (`Authorization: Bearer`,
// non-browser clients), else the host session cookie. Cookie checks are an HMAC; tokens are checked
// by the oauth plugin's services.
import type { IncomingMessage } from 'node:http'
import type { OAuthServices } from '../oauth/services.js'
import type { HostCookies } from './host-session.js'
import { TOKEN_PREFIX } from '../oauth/secrets.js'

/** Scope a token needs to open an instance: using it is acting on the instance. */
export const INSTANCE_SCOPE = 'tenants:write'

export type Identity =
  | { kind: 'cookie', userId: string }
  | { kind: 'bearer', userId: string }
  | { kind: 'invalid-bearer' }
  | { kind: 'anonymous' }

export async function identify (request: IncomingMessage, cookies: Record<string, string>, slug: string, hostCookies: HostCookies, oauth: OAuthServices): Promise<Identity> {
  const header = request.headers.authorization
  if (header !== undefined && /^Bearer\s/i.test(header)) {
    const token = header.slice(7).trim()
    if (token.startsWith(TOKEN_PREFIX.api)) {
      const record = await oauth.apiTokens.resolve(token)
      return record !== null && record.scopes.split(' ').includes(INSTANCE_SCOPE) ? { kind: 'bearer', userId: record.user.id } : { kind: 'invalid-bearer' }
    }
    // Console access tokens carry the user's roles; tokens from the authorization server carry the
    // scopes the client was granted, which must include instance access.
    const access = await oauth.tokens.verifyAccessToken(token)
    return access === null || (access.scopes !== undefined && !access.scopes.includes(INSTANCE_SCOPE)) ? { kind: 'invalid-bearer' } : { kind: 'bearer', userId: access.userId }
  }
  const session = hostCookies.readSession(cookies[hostCookies.sessionName], slug)
  return session === null ? { kind: 'anonymous' } : { kind: 'cookie', userId: session.userId }
}
