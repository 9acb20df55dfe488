// Small pieces the route modules share.
import type { FastifyRequest } from 'fastify'
import type { Config } from '../../../server/config.js'
import type { Mailer } from '../mailer.js'
import type { ClientInfo } from '../sessions.js'

/** Route config for endpoints that guess at secrets: a per-address rate limit. */
export function authRateLimit (config: Pick<Config, 'authRateLimit' | 'authRateWindow'>): { rateLimit: { max: number, timeWindow: number } } {
  return { rateLimit: { max: config.authRateLimit, timeWindow: config.authRateWindow } }
}

export function clientOf (request: FastifyRequest): ClientInfo {
  return { ip: request.ip, userAgent: request.headers['user-agent'] }
}

export function mailAnswer (mailer: Mailer, what: string): { mail: 'sent' | 'not-configured', message: string } {
  return mailer.configured
    ? { mail: 'sent', message: `If the address can receive it, ${what} is on its way.` }
    : { mail: 'not-configured', message: `Mail is not configured on this server; an admin can find ${what} in the server log.` }
}

/** The signed-in user of a route guarded by `requireUser`. */
export function signedIn (request: FastifyRequest): NonNullable<FastifyRequest['user']> {
  if (request.user === null) throw new Error('route is missing its requireUser hook')
  return request.user
}
