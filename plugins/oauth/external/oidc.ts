// Generic OpenID Connect providers through openid-client: discovery (once, on first use, so a
// provider that is down does not stop the server), authorization code with state, nonce and PKCE
// (S256), the ID token checked by openid-client, then the userinfo endpoint for email and `email_verified`.
import * as client from 'openid-client'
import type { Static } from 'typebox'
import type { OidcProviderSchema } from '../config.js'
import { ExternalSignInFailed } from '../errors.js'
import type { ExternalProvider } from './provider.js'

type OidcProviderConfig = Static<typeof OidcProviderSchema>

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]'])

export function oidcProvider (settings: OidcProviderConfig): ExternalProvider {
  let discovered: Promise<client.Configuration> | undefined
  const configuration = async (): Promise<client.Configuration> => {
    const issuer = new URL(settings.issuer)
    // Plain http only to an issuer on this machine (development, tests); anything remote needs https.
    const execute = issuer.protocol === 'http:' && LOOPBACK.has(issuer.hostname) ? [client.allowInsecureRequests] : []
    discovered ??= client.discovery(issuer, settings.clientId, settings.clientSecret, undefined, { execute })
      .catch((err: Error) => { discovered = undefined; throw new ExternalSignInFailed(settings.name, `discovery at ${settings.issuer} failed: ${err.message}`) })
    return await discovered
  }

  return {
    id: settings.id,
    name: settings.name,
    async start (flow) {
      const config = await configuration()
      const codeVerifier = client.randomPKCECodeVerifier()
      const nonce = client.randomNonce()
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: flow.callbackUrl,
        scope: 'openid email profile',
        state: flow.state,
        nonce,
        code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256'
      })
      return { url: url.toString(), codeVerifier, nonce }
    },
    async finish (callback) {
      const config = await configuration()
      let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>
      try {
        tokens = await client.authorizationCodeGrant(config, callback.currentUrl, {
          pkceCodeVerifier: callback.codeVerifier,
          expectedState: callback.state,
          expectedNonce: callback.nonce,
          idTokenExpected: true
        }, { redirect_uri: callback.callbackUrl })
      } catch (err) {
        throw new ExternalSignInFailed(settings.name, (err as Error).message)
      }
      const subject = tokens.claims()!.sub
      const info = await client.fetchUserInfo(config, tokens.access_token, subject)
      const email = typeof info.email === 'string' ? info.email : undefined
      return { subject, email, emailVerified: email !== undefined && info.email_verified === true }
    }
  }
}
