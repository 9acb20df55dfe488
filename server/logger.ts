// Log options shared by the server and its tests: secrets never reach a log line.
import type { FastifyRequest } from 'fastify'
import type { LoggerOptions } from 'pino'

/** Query parameters whose values are credentials (OAuth codes, tokens) and must not be logged. */
const SECRET_QUERY_PARAMS = ['code', 'state', 'token', 'access_token', 'refresh_token', 'id_token', 'password', 'code_verifier', 'client_secret']

const SECRET_FIELDS = ['password', 'newPassword', 'currentPassword', 'token', 'accessToken', 'refreshToken', 'secret', 'clientSecret', 'apiKey', 'privateKey']

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((field) => `*.${field}`)
]

export function redactUrl (url: string): string {
  const queryAt = url.indexOf('?')
  if (queryAt === -1) return url
  const params = new URLSearchParams(url.slice(queryAt + 1))
  for (const name of SECRET_QUERY_PARAMS) if (params.has(name)) params.set(name, '[redacted]')
  return `${url.slice(0, queryAt)}?${params.toString()}`
}

export function loggerOptions (level: string): LoggerOptions {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: {
      req (request: FastifyRequest) {
        return { method: request.method, url: redactUrl(request.url), host: request.headers.host, remoteAddress: request.ip }
      }
    }
  }
}
