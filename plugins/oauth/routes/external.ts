// External sign-in (GitHub, Google, WeChat, OIDC): the providers for the sign-in page, a start and a
// callback route per enabled provider, and the signed-in user's linked identities.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import Type, { type Static } from 'typebox'
import { sessionCookie } from '../authenticate.js'
import { ExternalSignInDenied, ExternalSignInFailed, InvalidState, Unauthenticated } from '../errors.js'
import { flowCookie, newState, openFlow, sealFlow, type PendingFlow } from '../external/flow-cookie.js'
import type { ExternalProfile, ExternalProvider } from '../external/provider.js'
import { safeReturnTo } from '../return-to.js'
import { ExternalCallbackQuery, ExternalStartQuery, IdentityView, IdParams, ProvidersAnswer } from '../schemas.js'
import { safeEqual } from '../secrets.js'
import type { OAuthServices } from '../services.js'
import { authRateLimit, clientOf, signedIn } from './shared.js'

/** Refusals a person can act on; a browser sees them on the console's page, API clients as JSON. */
const SHOWN_ON_PAGE = new Set(['INVALID_STATE', 'EXTERNAL_SIGN_IN_DENIED', 'EXTERNAL_SIGN_IN_FAILED', 'EMAIL_TAKEN', 'IDENTITY_LINKED_ELSEWHERE', 'UNAUTHENTICATED'])

const wantsPage = (request: FastifyRequest): boolean => request.headers.accept?.includes('text/html') === true

/** Our own errors pass as they are; anything else from a provider's library becomes a 502 naming the provider. */
function asProviderFailure (provider: ExternalProvider, err: unknown): Error {
  if (err instanceof Error && 'statusCode' in err) return err
  return new ExternalSignInFailed(provider.name, err instanceof Error ? err.message : String(err))
}

export const externalRoutes = (services: OAuthServices): FastifyPluginAsyncTypebox => async (app) => {
  const { providers, identities, sessions, keys } = services
  const config = app.config
  const session = sessionCookie(config)
  const flow = flowCookie(config.publicUrl)
  const limited = authRateLimit(config)
  const tags = ['auth']

  app.get('/api/auth/providers', {
    schema: { tags, summary: 'External sign-in providers this server offers (empty when none is configured)', response: { 200: ProvidersAnswer } }
  }, async () => ({ providers: [...providers.values()].map(({ id, name }) => ({ id, name, url: `/api/auth/${id}` })) }))

  for (const provider of providers.values()) {
    const callbackUrl = `${config.publicUrl}/api/auth/${provider.id}/callback`

    app.get(`/api/auth/${provider.id}`, {
      config: limited,
      schema: { tags, summary: `Sign in with ${provider.name}, or link it to the signed-in account (\`?link=1\`): redirects to ${provider.name}`, querystring: ExternalStartQuery }
    }, async (request, reply) => {
      const linking = request.query.link !== undefined
      if (linking && request.user === null) throw new Unauthenticated()
      const state = newState()
      const started = await provider.start({ callbackUrl, state, userAgent: request.headers['user-agent'] }).catch((err: unknown) => { throw asProviderFailure(provider, err) })
      reply.setCookie(flow.name, sealFlow(keys, {
        provider: provider.id,
        state,
        codeVerifier: started.codeVerifier,
        nonce: started.nonce,
        variant: started.variant,
        returnTo: request.query.returnTo,
        linkUserId: linking ? request.user!.id : undefined
      }), flow.options)
      return reply.redirect(started.url)
    })

    app.get(`/api/auth/${provider.id}/callback`, {
      config: limited,
      schema: { tags, summary: `Where ${provider.name} sends the browser back; signs in (or links) and redirects to \`returnTo\``, querystring: ExternalCallbackQuery }
    }, async (request, reply) => {
      const pending = openFlow(keys, request.cookies[flow.name])
      reply.clearCookie(flow.name, { path: flow.options.path })
      try {
        return await complete(request, request.query, reply, pending)
      } catch (err) {
        const code = (err as { code?: unknown }).code
        if (!wantsPage(request) || typeof code !== 'string' || !SHOWN_ON_PAGE.has(code)) throw err
        // A browser came here by redirect: it goes back to the console page, which says what went wrong.
        request.log.info({ provider: provider.id, code }, 'external sign-in refused')
        const page = pending?.linkUserId === undefined ? '/sign-in' : '/account'
        return reply.redirect(`${config.publicUrl}${page}?${new URLSearchParams({ error: code, provider: provider.name }).toString()}`)
      }
    })

    async function complete (request: FastifyRequest, query: Static<typeof ExternalCallbackQuery>, reply: FastifyReply, pending: PendingFlow | undefined): Promise<FastifyReply> {
      // RFC 6749 §10.12: the answer must carry the state this browser's own sign-in started with.
      if (pending === undefined || pending.provider !== provider.id || query.state === undefined || !safeEqual(query.state, pending.state)) throw new InvalidState()
      if (query.error !== undefined) throw new ExternalSignInDenied(provider.name, query.error_description ?? query.error)
      if (query.code === undefined) throw new ExternalSignInDenied(provider.name, 'the answer has no authorization code')
      const profile: ExternalProfile = await provider.finish({
        callbackUrl,
        state: pending.state,
        userAgent: request.headers['user-agent'],
        query,
        currentUrl: new URL(request.url, config.publicUrl),
        codeVerifier: pending.codeVerifier,
        nonce: pending.nonce,
        variant: pending.variant
      }).catch((err: unknown) => { throw asProviderFailure(provider, err) })

      if (pending.linkUserId !== undefined) {
        // Linking attaches to whoever started it, and only while they are still signed in here.
        if (request.user?.id !== pending.linkUserId) throw new Unauthenticated()
        await identities.link(provider, profile, pending.linkUserId, request.ip)
        return await reply.redirect(safeReturnTo(config, pending.returnTo ?? '/account'))
      }
      const user = await identities.signIn(provider, profile, request.ip)
      const { token } = await sessions.create(user.id, clientOf(request))
      reply.setCookie(session.name, token, session.options)
      return await reply.redirect(safeReturnTo(config, pending.returnTo))
    }
  }

  const identityRoutes: FastifyPluginAsyncTypebox = async (account) => {
    account.addHook('onRequest', app.requireUser())
    const names = (id: string): string => providers.get(id)?.name ?? id

    account.get('/api/me/identities', {
      schema: { tags: ['account'], summary: 'External identities linked to your account', response: { 200: Type.Object({ identities: Type.Array(IdentityView) }) } }
    }, async (request) => ({
      identities: (await identities.list(signedIn(request).id)).map(({ identity, canUnlink }) => ({
        id: identity.id,
        provider: identity.provider,
        providerName: names(identity.provider),
        email: identity.email ?? null,
        linkedAt: identity.linkedAt.toISOString(),
        canUnlink
      }))
    }))

    account.delete('/api/me/identities/:id', {
      schema: { tags: ['account'], summary: 'Unlink an external identity (not the last way to sign in)', params: IdParams }
    }, async (request, reply) => {
      await identities.unlink(signedIn(request).id, request.params.id, request.ip)
      return reply.code(204).send()
    })
  }
  await app.register(identityRoutes)
}
