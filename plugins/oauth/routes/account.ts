// The signed-in user's own account: profile, deletion, sessions and personal API tokens.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import { sessionCookie } from '../authenticate.js'
import type { ApiToken, Session } from '../entities.js'
import { User } from '../entities.js'
import { Unauthenticated } from '../errors.js'
import { ApiTokenView, IdParams, DeleteAccountBody, MeView, NewApiTokenAnswer, NewApiTokenBody, SessionView } from '../schemas.js'
import type { OAuthServices } from '../services.js'
import { describeUser } from '../users.js'
import { signedIn } from './shared.js'

function viewToken (token: ApiToken): Type.Static<typeof ApiTokenView> {
  return {
    id: token.id,
    name: token.name,
    scopes: token.scopes.split(' '),
    createdAt: token.createdAt.toISOString(),
    expiresAt: token.expiresAt.toISOString(),
    lastUsedAt: token.lastUsedAt?.toISOString() ?? null
  }
}

function viewSession (session: Session, currentId: string | undefined): Type.Static<typeof SessionView> {
  return {
    id: session.id,
    current: session.id === currentId,
    createdAt: session.createdAt.toISOString(),
    lastSeenAt: session.lastSeenAt.toISOString(),
    expiresAt: session.expiresAt.toISOString(),
    userAgent: session.userAgent ?? null,
    ip: session.ip ?? null
  }
}

export const accountRoutes = (services: OAuthServices): FastifyPluginAsyncTypebox => async (app) => {
  const tags = ['account']
  const cookie = sessionCookie(app.config)

  // A visitor who presents no credential is simply not signed in: `null`, not an error, so the
  // console can ask on every visit without a 401 in the browser's console. A credential that no
  // longer works (revoked, expired) still answers 401, and a stale session cookie is cleared.
  app.get('/api/me', {
    schema: { tags, summary: 'The signed-in user; null when the request carries no credential', response: { 200: Type.Union([MeView, Type.Null()]) } }
  }, async (request, reply) => {
    if (request.user === null) {
      const presented = request.headers.authorization !== undefined || request.cookies[cookie.name] !== undefined
      if (!presented) return null
      if (request.headers.authorization === undefined) reply.clearCookie(cookie.name, { path: '/' })
      throw new Unauthenticated()
    }
    const user = await services.orm.em.fork().findOneOrFail(User, { id: request.user.id })
    return { ...describeUser(user), scopes: request.user.scopes, requireEmailVerification: services.requireEmailVerification, hasPassword: user.passwordHash !== null }
  })

  await app.register(signedInRoutes(services))
}

const signedInRoutes = (services: OAuthServices): FastifyPluginAsyncTypebox => async (app) => {
  const { accounts, sessions, apiTokens } = services
  const tags = ['account']
  app.addHook('onRequest', app.requireUser())

  app.delete('/api/me', {
    schema: { tags, summary: 'Delete the account and everything that signs in as it (confirmed with the password, or the email for an account without one)', body: DeleteAccountBody }
  }, async (request, reply) => {
    await accounts.deleteAccount(signedIn(request).id, request.body, request.ip)
    reply.clearCookie(sessionCookie(app.config).name, { path: '/' })
    return reply.code(204).send()
  })

  app.get('/api/sessions', {
    schema: { tags, summary: 'Signed-in browsers of this user', response: { 200: Type.Object({ sessions: Type.Array(SessionView) }) } }
  }, async (request) => {
    const current = request.credential?.kind === 'session' ? request.credential.sessionId : undefined
    return { sessions: (await sessions.list(signedIn(request).id)).map((session) => viewSession(session, current)) }
  })

  app.delete('/api/sessions/:id', {
    schema: { tags, summary: 'Sign one of your sessions out', params: IdParams }
  }, async (request, reply) => {
    await sessions.revoke(signedIn(request).id, request.params.id)
    return reply.code(204).send()
  })

  app.post('/api/tokens', {
    schema: { tags, summary: 'Create a personal API token (sent as Authorization: Bearer); its value is shown only in this answer', body: NewApiTokenBody, response: { 201: NewApiTokenAnswer } }
  }, async (request, reply) => {
    const user = signedIn(request)
    const { token, record } = await apiTokens.create(user.id, user.scopes, request.body)
    return reply.code(201).send({ ...viewToken(record), token })
  })

  app.get('/api/tokens', {
    schema: { tags, summary: 'Your personal API tokens (without their values)', response: { 200: Type.Object({ tokens: Type.Array(ApiTokenView) }) } }
  }, async (request) => ({ tokens: (await apiTokens.list(signedIn(request).id)).map(viewToken) }))

  app.delete('/api/tokens/:id', {
    schema: { tags, summary: 'Revoke one of your personal API tokens', params: IdParams }
  }, async (request, reply) => {
    await apiTokens.revoke(signedIn(request).id, request.params.id)
    return reply.code(204).send()
  })
}
