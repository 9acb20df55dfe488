// The local authorization endpoint on the console origin (see authorizer.ts): a signed-in console
// user who owns the instance gets a one-time code bound to that instance's origin, redirect URI and
// PKCE challenge; anyone else is sent back with `error=access_denied` (RFC 6749 §4.1.2.1), and the
// instance host shows its 403 page. A bad client or redirect URI is never redirected to: 400.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import { instanceUrl } from '../../server/config.js'
import { ErrorBody } from '../../server/errors.js'
import { AUTHORIZE_PATH, CALLBACK_PATH, PKCE_CHALLENGE, type LocalAuthorizer } from './authorizer.js'
import { InvalidAuthorizationRequest } from './errors.js'
import type { SlugOfHost } from './hosts.js'

const AuthorizeQuery = Type.Object({
  response_type: Type.Literal('code'),
  client_id: Type.String({ minLength: 1, maxLength: 300, description: 'The instance origin, e.g. https://alice.apps.example.com' }),
  redirect_uri: Type.String({ minLength: 1, maxLength: 400, description: '<client_id>/_openclaw/callback' }),
  state: Type.String({ minLength: 8, maxLength: 256 }),
  code_challenge: Type.String({ pattern: PKCE_CHALLENGE.source, description: 'RFC 7636 S256 challenge' }),
  code_challenge_method: Type.Literal('S256')
})

export interface AuthorizeRoutesOptions {
  authorizer: LocalAuthorizer
  /** Whether the instance or box at a slug is this user's. */
  owns: (slug: string, userId: string) => Promise<boolean>
  slugOf: SlugOfHost
}

export const authorizeRoutes = ({ authorizer, owns, slugOf }: AuthorizeRoutesOptions): FastifyPluginAsyncTypebox => async (app) => {
  const { config } = app
  app.get(AUTHORIZE_PATH, {
    schema: {
      tags: ['routing'],
      summary: 'Single sign-on for an instance host: code + PKCE; signs in on the console first when needed',
      querystring: AuthorizeQuery,
      response: { 400: ErrorBody }
    }
  }, async (request, reply) => {
    const query = request.query
    let clientHost: string
    try { clientHost = new URL(query.client_id).host } catch { throw new InvalidAuthorizationRequest('client_id is not an origin') }
    const slug = slugOf(clientHost)
    if (slug === null || query.client_id !== instanceUrl(config, slug)) throw new InvalidAuthorizationRequest(`client_id must be an instance origin like ${instanceUrl(config, 'name')}`)
    if (query.redirect_uri !== `${query.client_id}${CALLBACK_PATH}`) throw new InvalidAuthorizationRequest(`redirect_uri must be ${query.client_id}${CALLBACK_PATH}`)

    const user = request.user
    if (user === null) {
      const signIn = new URL(config.routingSignInPath, config.publicUrl)
      signIn.searchParams.set('returnTo', `${config.publicUrl}${request.url}`)
      return await reply.header('cache-control', 'no-store').redirect(signIn.toString())
    }
    const back = new URL(query.redirect_uri)
    back.searchParams.set('state', query.state)
    if (await owns(slug, user.id)) {
      back.searchParams.set('code', await authorizer.issueCode({ clientId: query.client_id, redirectUri: query.redirect_uri, state: query.state, codeChallenge: query.code_challenge }, { userId: user.id }))
    } else {
      back.searchParams.set('error', 'access_denied')
    }
    return await reply.header('cache-control', 'no-store').redirect(back.toString())
  })
}
