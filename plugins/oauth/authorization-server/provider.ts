// The oidc-provider configuration: our accounts and console sessions, our database, our keys, and the
// protocol choices (PKCE S256 always, exact redirect URIs, rotating refresh tokens, device flow).
import type { FastifyBaseLogger } from 'fastify'
import Provider, { errors, interactionPolicy, type Client, type Configuration, type KoaContextWithOIDC } from 'oidc-provider'
import type { Config } from '../../../server/config.js'
import { sessionCookie } from '../authenticate.js'
import { User } from '../entities.js'
import { LIFETIME } from '../lifetimes.js'
import { SCOPES } from '../rbac.js'
import type { OAuthServices } from '../services.js'
import { toAuthUser } from '../users.js'
import { createAdapter } from './adapter.js'
import type { ClientRegistry } from './clients.js'
import type { AuthorizationServerKeys } from './keys.js'
import { deviceCodeInputPage, deviceConfirmPage, deviceRefusedPage, deviceSuccessPage, errorPage, pageCsp } from './pages.js'

export const OIDC_PREFIX = '/oidc'
export const interactionPath = (uid: string): string => `${OIDC_PREFIX}/interaction/${uid}`

const ROUTES = {
  authorization: '/auth',
  code_verification: '/device',
  device_authorization: '/device/auth',
  jwks: '/jwks',
  pushed_authorization_request: '/request',
  revocation: '/token/revocation',
  token: '/token',
  userinfo: '/me'
}

export interface ProviderDeps {
  config: Config
  services: OAuthServices
  clients: ClientRegistry
  keys: AuthorizationServerKeys
  log: FastifyBaseLogger
}

function sendPage (ctx: KoaContextWithOIDC, html: string): void {
  ctx.type = 'html'
  ctx.set('content-security-policy', pageCsp())
  ctx.body = html
}

export function createProvider ({ config, services, clients, keys, log }: ProviderDeps): Provider {
  const cookieName = sessionCookie(config).name
  // Our API is one resource server: tokens for it are JWTs the API verifies like its own (tokens.ts).
  const apiResource = config.publicUrl
  const hasApiAccess = (client: Client): boolean => clients.get(client.clientId)?.apiAccess === true

  /** The user signed into the console in this browser, if any. */
  async function consoleUser (ctx: KoaContextWithOIDC): Promise<User | null> {
    const token = ctx.cookies.get(cookieName, { signed: false })
    if (token === undefined) return null
    return (await services.sessions.resolve(token))?.user ?? null
  }

  /**
   * Runs the client's `approveDevice` on an approval oidc-provider has just recorded. A refusal (or a
   * failure) turns it into a denial, so the device's next poll gets `access_denied` (RFC 8628 §3.5);
   * the message to show is returned.
   */
  async function refusalOfApproval (ctx: KoaContextWithOIDC): Promise<string | undefined> {
    const clientId = ctx.oidc.client!.clientId
    const approve = clients.get(clientId)?.approveDevice
    const code = ctx.oidc.deviceCode!
    if (approve === undefined) return undefined
    let message: string
    try {
      const user = await services.orm.em.fork().findOne(User, { id: code.accountId! })
      const decision = user === null ? { approved: false, reason: 'Your account no longer exists.' } as const : await approve({ user: toAuthUser(user), deviceInfo: code.deviceInfo ?? {} })
      if (decision.approved) return undefined
      message = decision.reason
    } catch (err) {
      log.error({ err, clientId }, 'device approval failed')
      message = 'The server could not complete this; start again on your device.'
    }
    Object.assign(code, { error: 'access_denied', errorDescription: message })
    await code.save()
    return message
  }

  const policy = interactionPolicy.base()
  // The console session is the one sign-in: signing out of the console ends single sign-on too, and
  // whoever is signed into the console is who authorizes.
  policy.get('login')!.checks.add(new interactionPolicy.Check('console_session', 'Sign in to the console first', async (ctx) => {
    const user = await consoleUser(ctx)
    return user !== null && user.id === ctx.oidc.session?.accountId ? interactionPolicy.Check.NO_NEED_TO_PROMPT : interactionPolicy.Check.REQUEST_PROMPT
  }))

  const configuration: Configuration = {
    adapter: createAdapter(services.orm, clients),
    async findAccount (_ctx, sub) {
      const user = await services.orm.em.fork().findOne(User, { id: sub })
      if (user === null) return undefined
      return { accountId: user.id, claims: () => ({ sub: user.id, email: user.email, email_verified: user.emailVerifiedAt != null }) }
    },
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    scopes: ['openid', 'offline_access', 'email'],
    // Claims requested by scope go into the ID token too: API-bound access tokens cannot call userinfo.
    conformIdTokenClaims: false,
    jwks: keys.jwks,
    clientDefaults: { grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic', id_token_signed_response_alg: 'ES256' },
    cookies: { keys: keys.cookieKeys, long: { httpOnly: true, sameSite: 'lax' }, short: { httpOnly: true, sameSite: 'lax' } },
    routes: Object.fromEntries(Object.entries(ROUTES).map(([name, route]) => [name, `${OIDC_PREFIX}${route}`])),
    // PKCE on every authorization code flow (RFC 9700 §2.1.1); oidc-provider accepts only S256.
    pkce: { required: () => true },
    allowOmittingSingleRegisteredRedirectUri: false,
    // Every refresh rotates; a used refresh token presented again revokes the grant (RFC 9700 §4.14.2).
    rotateRefreshToken: true,
    clientBasedCORS: () => false,
    interactions: { policy, url: (_ctx, interaction) => interactionPath(interaction.uid) },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: { enabled: false },
      revocation: { enabled: true },
      deviceFlow: {
        enabled: true,
        charset: 'base-20',
        mask: '****-****',
        userCodeInputSource (ctx, form, _out, err) {
          sendPage(ctx, deviceCodeInputPage({ form, errorName: err?.name }))
        },
        async userCodeConfirmSource (ctx, form, client, deviceInfo, userCode) {
          const user = await consoleUser(ctx)
          sendPage(ctx, deviceConfirmPage({ form, clientName: client.clientName ?? client.clientId, deviceInfo, userCode, signedInAs: user?.email }))
        },
        async successSource (ctx) {
          const client = ctx.oidc.client!
          const clientName = client.clientName ?? client.clientId
          const refusal = await refusalOfApproval(ctx)
          sendPage(ctx, refusal === undefined ? deviceSuccessPage({ clientName }) : deviceRefusedPage({ clientName, message: refusal }))
        }
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: (_ctx, client, oneOf) => oneOf ?? (hasApiAccess(client) ? apiResource : undefined),
        useGrantedResource: () => true,
        getResourceServerInfo (_ctx, indicator, client) {
          if (indicator !== apiResource || !hasApiAccess(client)) throw new errors.InvalidTarget()
          return { scope: SCOPES.join(' '), audience: apiResource, accessTokenTTL: LIFETIME.accessTokenSeconds, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'EdDSA' } } }
        }
      }
    },
    ttl: {
      AccessToken: LIFETIME.accessTokenSeconds,
      AuthorizationCode: 60,
      DeviceCode: config.deviceCodeTtl,
      Grant: LIFETIME.refreshToken / 1000,
      IdToken: 60 * 60,
      Interaction: 60 * 60,
      RefreshToken: LIFETIME.refreshToken / 1000,
      Session: LIFETIME.session / 1000
    },
    renderError (ctx, out) {
      sendPage(ctx, errorPage({ error: out.error, description: out.error_description }))
    }
  }

  const provider = new Provider(config.publicUrl, configuration)
  // Requests reach the provider with the public origin and the client address Fastify determined (index.ts).
  provider.proxy = true
  provider.on('server_error', (_ctx, err) => { log.error({ err }, 'authorization server error') })

  // Hosts that come and go (a router's tenant hosts) are admitted by their client's own exact check.
  const exactRedirectUri = provider.Client.prototype.redirectUriAllowed
  provider.Client.prototype.redirectUriAllowed = function redirectUriAllowed (this: Client, uri: string): boolean {
    return exactRedirectUri.call(this, uri) || clients.get(this.clientId)?.redirectUriMatches?.(uri) === true
  }
  return provider
}
