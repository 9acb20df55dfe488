// Log options shared by the server and its tests: secrets never reach a log line. Lines go to stdout
// and, when LOKI_URL is set, also to Loki through pino-loki (in pino's transport worker; redaction
// happens before a line leaves the main thread).
import type { FastifyRequest } from 'fastify'
import type { LoggerOptions, TransportTargetOptions } from 'pino'

/** Query parameters whose values are credentials (OAuth codes, tokens) and must not be logged. */
const SECRET_QUERY_PARAMS = ['code', 'state', 'token', 'access_token', 'refresh_token', 'id_token', 'password', 'code_verifier', 'client_secret', 'secret']

const SECRET_FIELDS = ['password', 'newPassword', 'currentPassword', 'token', 'accessToken', 'refreshToken', 'secret', 'clientSecret', 'client_secret', 'apiKey', 'privateKey',
  // Sign-in providers' config keys (plugins/oauth/config.ts), should a config object ever reach a log line.
  'githubClientSecret', 'googleClientSecret', 'wechatAppSecret', 'wechatMpAppSecret', 'oidcProviders']

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

/** Where log lines are shipped besides stdout (config keys LOKI_URL, LOKI_ENV). */
export interface LogShipping {
  lokiUrl?: string
  lokiEnvironment: string
}

/** The app name on every line in Loki; with `env` and `level` the only labels, so streams stay few. */
export const LOKI_APP_LABEL = 'openclaw-cloud'

export interface LokiEndpoint {
  /** LOKI_URL without credentials, ending in a slash. */
  base: string
  /** Loki's push API (JSON). */
  pushUrl: string
  /** Credentials from LOKI_URL's user:password@, sent as basic auth. */
  basicAuth?: { username: string, password: string }
}

/** Where and how to push to the Loki that LOKI_URL names. */
export function lokiEndpoint (lokiUrl: string): LokiEndpoint {
  const url = new URL(lokiUrl)
  const basicAuth = url.username === '' ? undefined : { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) }
  url.username = ''
  url.password = ''
  // The push endpoint `loki/api/v1/push` resolves against this base: a path prefix needs the slash.
  if (!url.pathname.endsWith('/')) url.pathname += '/'
  return { base: url.toString(), pushUrl: new URL('loki/api/v1/push', url).toString(), ...(basicAuth === undefined ? {} : { basicAuth }) }
}

function lokiTarget (level: string, lokiUrl: string, environment: string): TransportTargetOptions {
  const { base, basicAuth } = lokiEndpoint(lokiUrl)
  return {
    target: import.meta.resolve('pino-loki'),
    level,
    options: { host: base, basicAuth, labels: { app: LOKI_APP_LABEL, env: environment }, batching: { interval: 2 } }
  }
}

export function loggerOptions (level: string, shipping?: LogShipping): LoggerOptions {
  const transport = shipping?.lokiUrl === undefined
    ? {}
    : { transport: { targets: [{ target: 'pino/file', level, options: { destination: 1 } }, lokiTarget(level, shipping.lokiUrl, shipping.lokiEnvironment)] } }
  return {
    level,
    ...transport,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: {
      req (request: FastifyRequest) {
        return { method: request.method, url: redactUrl(request.url), host: request.headers.host, remoteAddress: request.ip }
      }
    }
  }
}
