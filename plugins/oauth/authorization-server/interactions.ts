// Where oidc-provider hands the browser over to us: sign in (skipped when the console session is there),
// then consent (skipped for trusted clients and device flows, whose confirmation page asked already).
// The forms need no x-csrf-token: oidc-provider's interaction cookie is SameSite=Lax, signed and bound
// to the interaction, so a cross-site form post cannot reach a live interaction.
import formBody from '@fastify/formbody'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { errors, type InteractionResults, type Provider } from 'oidc-provider'
import Type from 'typebox'
import type { Config } from '../../../server/config.js'
import { sessionCookie } from '../authenticate.js'
import { InvalidCredentials, LoginLocked } from '../errors.js'
import { authRateLimit, clientOf } from '../routes/shared.js'
import type { OAuthServices } from '../services.js'
import type { ClientRegistry } from './clients.js'
import { asPublicRequest } from './mount.js'
import { consentPage, errorPage, pageCsp, signInPage } from './pages.js'
import { interactionPath } from './provider.js'

type Interaction = Awaited<ReturnType<Provider['interactionDetails']>>

const UidParams = Type.Object({ uid: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }) })
const LoginForm = Type.Object({ email: Type.String({ maxLength: 320 }), password: Type.String({ maxLength: 1024 }) })
const ConsentForm = Type.Object({ decision: Type.Union([Type.Literal('allow'), Type.Literal('deny')]) })

export interface InteractionDeps { provider: Provider, clients: ClientRegistry, services: OAuthServices, config: Config }

export const interactionRoutes = ({ provider, clients, services, config }: InteractionDeps): FastifyPluginAsyncTypebox => async (app) => {
  await app.register(formBody)
  const cookie = sessionCookie(config)
  const limited = authRateLimit(config)
  const selfProtected = { csrfHeader: false }

  app.setErrorHandler((error, _request, reply) => {
    if (!(error instanceof errors.OIDCProviderError)) throw error
    return reply.code(error.statusCode).type('text/html').header('content-security-policy', pageCsp())
      .send(errorPage({ error: error.error, description: error.error_description }))
  })

  async function details (request: FastifyRequest, reply: FastifyReply): Promise<Interaction> {
    asPublicRequest(request, config.publicUrl)
    return await provider.interactionDetails(request.raw, reply.raw)
  }

  /** The redirect that ends a sign-in goes to the client, so its origin is a legitimate form target. */
  function sendPage (reply: FastifyReply, interaction: Interaction, html: string, status = 200): FastifyReply {
    const redirect = URL.parse(String(interaction.params.redirect_uri ?? ''))?.origin
    return reply.code(status).type('text/html').header('cache-control', 'no-store')
      .header('content-security-policy', pageCsp(redirect === undefined || redirect === 'null' ? [] : [redirect])).send(html)
  }

  async function finish (request: FastifyRequest, reply: FastifyReply, result: InteractionResults): Promise<FastifyReply> {
    const returnTo = await provider.interactionResult(request.raw, reply.raw, result, { mergeWithLastSubmission: false })
    return reply.redirect(returnTo, 303)
  }

  async function clientName (interaction: Interaction): Promise<string> {
    const client = await provider.Client.find(String(interaction.params.client_id))
    return client?.clientName ?? String(interaction.params.client_id)
  }

  /** Grants what the consent prompt found missing (oidc-provider's prompt details). */
  async function grantRequested (interaction: Interaction): Promise<string> {
    const accountId = interaction.session!.accountId
    const clientId = String(interaction.params.client_id)
    const grant = interaction.grantId === undefined ? new provider.Grant({ accountId, clientId }) : await provider.Grant.find(interaction.grantId)
    if (grant === undefined) throw new errors.AccessDenied('the grant of this interaction no longer exists')
    const missing = interaction.prompt.details as { missingOIDCScope?: string[], missingOIDCClaims?: string[], missingResourceScopes?: Record<string, string[]> }
    if (missing.missingOIDCScope !== undefined) grant.addOIDCScope(missing.missingOIDCScope.join(' '))
    if (missing.missingOIDCClaims !== undefined) grant.addOIDCClaims(missing.missingOIDCClaims)
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '))
    const grantId = await grant.save()
    await services.audit.record({ type: 'oauth.consent', userId: accountId, details: { clientId, scope: String(interaction.params.scope ?? '') } })
    return grantId
  }

  /** The console user of this browser (never a Bearer token: browsers do not send those by themselves). */
  const consoleUser = (request: FastifyRequest) => request.credential?.kind === 'session' ? request.user : null

  app.get('/oidc/interaction/:uid', { config: selfProtected, schema: { hide: true, params: UidParams } }, async (request, reply) => {
    const interaction = await details(request, reply)
    const user = consoleUser(request)
    if (interaction.prompt.name === 'login') {
      // A client asking for a fresh sign-in (prompt=login, max_age) gets one, console session or not.
      const fresh = interaction.prompt.reasons.some((reason) => reason === 'login_prompt' || reason === 'max_age')
      if (user === null || fresh) return sendPage(reply, interaction, signInPage({ action: `${interactionPath(interaction.uid)}/login`, clientName: await clientName(interaction) }))
      return await finish(request, reply, { login: { accountId: user.id } })
    }
    if (interaction.prompt.name !== 'consent') throw new errors.InvalidRequest(`unsupported interaction ${interaction.prompt.name}`)
    const trusted = clients.get(String(interaction.params.client_id))?.trusted === true
    if (trusted || interaction.deviceCode !== undefined) return await finish(request, reply, { consent: { grantId: await grantRequested(interaction) } })
    const scopes = String(interaction.params.scope ?? '').split(' ').filter((scope) => scope !== '')
    return sendPage(reply, interaction, consentPage({ action: `${interactionPath(interaction.uid)}/consent`, clientName: await clientName(interaction), scopes, email: user?.email ?? '' }))
  })

  app.post('/oidc/interaction/:uid/login', { config: { ...limited, ...selfProtected }, schema: { hide: true, params: UidParams, body: LoginForm } }, async (request, reply) => {
    const interaction = await details(request, reply)
    if (interaction.prompt.name !== 'login') return reply.redirect(interactionPath(interaction.uid), 303)
    try {
      const user = await services.accounts.authenticate(request.body, request.ip)
      const { token } = await services.sessions.create(user.id, clientOf(request))
      reply.setCookie(cookie.name, token, cookie.options)
      return await finish(request, reply, { login: { accountId: user.id } })
    } catch (err) {
      if (!(err instanceof InvalidCredentials) && !(err instanceof LoginLocked)) throw err
      const page = signInPage({ action: `${interactionPath(interaction.uid)}/login`, clientName: await clientName(interaction), email: request.body.email, error: err.message })
      return sendPage(reply, interaction, page, err.statusCode)
    }
  })

  app.post('/oidc/interaction/:uid/consent', { config: selfProtected, schema: { hide: true, params: UidParams, body: ConsentForm } }, async (request, reply) => {
    const interaction = await details(request, reply)
    const user = consoleUser(request)
    // Signed out (or in as someone else) since the page was shown: start over with sign-in.
    if (interaction.prompt.name !== 'consent' || user === null || user.id !== interaction.session?.accountId) {
      return reply.redirect(interactionPath(interaction.uid), 303)
    }
    if (request.body.decision === 'deny') {
      await services.audit.record({ type: 'oauth.deny', userId: user.id, ip: request.ip, details: { clientId: String(interaction.params.client_id) } })
      return await finish(request, reply, { error: 'access_denied', error_description: 'The user denied access' })
    }
    return await finish(request, reply, { consent: { grantId: await grantRequested(interaction) } })
  })
}
