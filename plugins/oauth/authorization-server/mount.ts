// oidc-provider is a Koa application; Fastify hands it the raw request and response of its routes.
// Its bodies are left unparsed (it reads them itself) and its URLs are built from PUBLIC_URL.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import type Provider from 'oidc-provider'
import type { Config } from '../../../server/config.js'
import { authRateLimit } from '../routes/shared.js'
import { OIDC_PREFIX } from './provider.js'

/**
 * The provider trusts forwarding headers (`provider.proxy`), so they are overwritten here: it sees the
 * request as made to the public origin, from the address Fastify determined — never what a client claims.
 */
export function asPublicRequest (request: FastifyRequest, publicUrl: string): void {
  const origin = new URL(publicUrl)
  const headers = request.raw.headers
  headers['x-forwarded-proto'] = origin.protocol.slice(0, -1)
  headers['x-forwarded-host'] = origin.host
  headers['x-forwarded-for'] = request.ip
}

export const mountProvider = (provider: Provider, config: Config): FastifyPluginAsync => async (app) => {
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', (_request, _payload, done) => { done(null) })
  const handle = provider.callback()
  // oidc-provider's forms carry their own anti-forgery token; its other endpoints are for OAuth clients.
  const selfProtected = { csrfHeader: false }
  const limited = { ...authRateLimit(config), ...selfProtected }

  async function forward (request: FastifyRequest, reply: FastifyReply): Promise<void> {
    asPublicRequest(request, config.publicUrl)
    reply.hijack()
    await handle(request.raw, reply.raw)
  }

  const hide = { schema: { hide: true } }
  app.get('/.well-known/openid-configuration', { ...hide, config: selfProtected }, forward)
  // Endpoints that guess at secrets (codes, refresh tokens, user codes) or hand them out are rate limited.
  for (const route of ['/token', '/device/auth', '/device']) app.post(`${OIDC_PREFIX}${route}`, { ...hide, config: limited }, forward)
  app.all(`${OIDC_PREFIX}/*`, { ...hide, config: selfProtected }, forward)
}
