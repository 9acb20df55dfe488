// Sign-up, sign-in and out, email verification, password reset and change, API/CLI token grants.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { sessionCookie } from '../authenticate.js'
import { InvalidGrant } from '../errors.js'
import { safeReturnTo } from '../return-to.js'
import { csrfTokenFor } from '../secrets.js'
import { ChangePasswordBody, CsrfAnswer, Credentials, EmailBody, LoginAnswer, LoginBody, LogoutBody, MailAnswer, ResetBody, TokenBody, TokenPairView, TokenRequest, UserView } from '../schemas.js'
import type { OAuthServices } from '../services.js'
import { describeUser } from '../users.js'
import { authRateLimit, clientOf, mailAnswer, signedIn } from './shared.js'

export const authRoutes = (services: OAuthServices): FastifyPluginAsyncTypebox => async (app) => {
  const { accounts, sessions, tokens, mailer } = services
  const cookie = sessionCookie(app.config)
  const limited = authRateLimit(app.config)
  const tags = ['auth']

  app.post('/api/auth/register', {
    config: limited,
    schema: { tags, summary: 'Create a local account; a verification link is mailed (the same answer whether or not the email is taken)', body: Credentials, response: { 202: MailAnswer } }
  }, async (request, reply) => {
    await accounts.register(request.body, request.ip)
    return reply.code(202).send(mailAnswer(mailer, 'a verification link'))
  })

  app.post('/api/auth/login', {
    config: limited,
    schema: { tags, summary: 'Sign in with email and password; sets the session cookie', body: LoginBody, response: { 200: LoginAnswer } }
  }, async (request, reply) => {
    const user = await accounts.authenticate(request.body, request.ip)
    const { token } = await sessions.create(user.id, clientOf(request))
    reply.setCookie(cookie.name, token, cookie.options)
    return { user: describeUser(user), csrfToken: csrfTokenFor(services.keys, token), returnTo: safeReturnTo(app.config, request.body.returnTo) }
  })

  app.post('/api/auth/logout', {
    // A plain sign-out sends no body at all; the refresh token is optional (the CSRF header is still
    // required for a cookie session, by the authentication hook).
    preValidation: async (request) => { request.body ??= {} },
    schema: { tags, summary: 'Sign out: ends this session, and revokes a refresh token family when one is given', body: LogoutBody }
  }, async (request, reply) => {
    const credential = request.credential
    if (credential?.kind === 'session') await sessions.revoke(request.user!.id, credential.sessionId)
    if (request.body.refresh_token !== undefined) await tokens.revokeFamilyOf(request.body.refresh_token)
    if (request.user !== null) await services.audit.record({ type: 'logout', userId: request.user.id, ip: request.ip })
    reply.clearCookie(cookie.name, { path: '/' })
    return reply.code(204).send()
  })

  app.get('/api/auth/csrf', {
    onRequest: app.requireUser(),
    schema: { tags, summary: 'The CSRF token to send as x-csrf-token with state-changing requests made with the session cookie (empty for Bearer clients, which need none)', response: { 200: CsrfAnswer } }
  }, async (request) => {
    const credential = request.credential
    return { csrfToken: credential?.kind === 'session' ? credential.csrfToken : '' }
  })

  app.post('/api/auth/verify-email', {
    config: limited,
    schema: { tags, summary: 'Confirm an email address with the token from the mailed link', body: TokenBody, response: { 200: UserView } }
  }, async (request) => describeUser(await accounts.verifyEmail(request.body.token, request.ip)))

  app.post('/api/auth/verify-email/resend', {
    config: limited,
    onRequest: app.requireUser(),
    schema: { tags, summary: 'Mail a new verification link to the signed-in user', response: { 202: MailAnswer } }
  }, async (request, reply) => {
    await accounts.resendVerification(signedIn(request).id)
    return reply.code(202).send(mailAnswer(mailer, 'a verification link'))
  })

  app.post('/api/auth/password/forgot', {
    config: limited,
    schema: { tags, summary: 'Mail a password reset link (the same answer whether or not the email has an account)', body: EmailBody, response: { 202: MailAnswer } }
  }, async (request, reply) => {
    await accounts.forgotPassword(request.body.email)
    return reply.code(202).send(mailAnswer(mailer, 'a password reset link'))
  })

  app.post('/api/auth/password/reset', {
    config: limited,
    schema: { tags, summary: 'Set a new password with the single-use token from the reset link; signs out everywhere', body: ResetBody }
  }, async (request, reply) => {
    await accounts.resetPassword(request.body, request.ip)
    return reply.code(204).send()
  })

  app.post('/api/auth/password/change', {
    config: limited,
    onRequest: app.requireUser(),
    schema: { tags, summary: 'Change the password; other sessions are signed out', body: ChangePasswordBody }
  }, async (request, reply) => {
    const keep = request.credential?.kind === 'session' ? request.credential.sessionId : undefined
    await accounts.changePassword(signedIn(request).id, request.body, keep, request.ip)
    return reply.code(204).send()
  })

  app.post('/api/auth/token', {
    config: limited,
    schema: { tags, summary: 'Access and refresh tokens for API and CLI clients (grant_type password or refresh_token)', body: TokenRequest, response: { 200: TokenPairView } }
  }, async (request) => {
    const body = request.body
    if (body.grant_type === 'refresh_token') {
      if (body.refresh_token === undefined) throw new InvalidGrant()
      return await tokens.refresh(body.refresh_token, request.ip)
    }
    if (body.email === undefined || body.password === undefined) throw new InvalidGrant()
    const user = await accounts.authenticate({ email: body.email, password: body.password }, request.ip)
    return await tokens.issue(user.id)
  })
}
