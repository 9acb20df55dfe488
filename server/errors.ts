// Every error code the API answers with, and the one place that turns errors into the uniform body
// `{ statusCode, code, error, message }`. Clients get a message that names the problem, never internals.
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify'
import { STATUS_CODES } from 'node:http'
import Type, { type Static } from 'typebox'

export const ErrorBody = Type.Object({
  statusCode: Type.Integer(),
  code: Type.String(),
  error: Type.String(),
  message: Type.String()
}, { $id: 'ErrorBody', description: 'Every 4xx and 5xx answer has this shape.' })

const DELIBERATE_5XX = new Set([502, 503, 504])

/** Fastify's own error codes, renamed to stable codes of ours with the message a client can act on. */
const FRAMEWORK_ERRORS: Record<string, { code: string, message?: (request: FastifyRequest) => string }> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'UNSUPPORTED_MEDIA_TYPE', message: (request) => `Content type "${request.headers['content-type'] ?? ''}" is not accepted; send application/json` },
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'BODY_TOO_LARGE', message: () => 'Request body is larger than this server accepts' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'INVALID_JSON', message: () => "Body cannot be empty when content-type is 'application/json'" },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'INVALID_JSON' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'INVALID_CONTENT_LENGTH' },
  FST_ERR_VALIDATION: { code: 'VALIDATION_FAILED' }
}

export function errorBody (statusCode: number, code: string, message: string): Static<typeof ErrorBody> {
  return { statusCode, code, error: STATUS_CODES[statusCode] ?? 'Error', message }
}

/**
 * Installs the uniform error and not-found handlers on an instance (call on the root app).
 * `servesConsole` picks unknown paths that the single-page console handles itself (its index.html).
 */
export function installErrorHandling (app: FastifyInstance, servesConsole?: (request: FastifyRequest) => boolean): void {
  app.addSchema(ErrorBody)

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const statusCode = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500
    // 502/503/504 with a code of ours say something the client can act on (e.g. NO_DOCKER);
    // any 500 is a bug whose details stay in the log.
    if (statusCode === 500 || (statusCode > 500 && !DELIBERATE_5XX.has(statusCode))) {
      request.log.error({ err: error }, 'request failed')
      return reply.code(500).send(errorBody(500, 'INTERNAL_ERROR', 'Internal server error; the request id in x-request-id helps an admin find the cause in the server log'))
    }
    // A SyntaxError from the JSON parser carries statusCode 400 but no code of its own.
    const known = FRAMEWORK_ERRORS[error.code] ?? (error instanceof SyntaxError ? { code: 'INVALID_JSON' } : undefined)
    const code = known?.code ?? error.code ?? 'BAD_REQUEST'
    const message = known?.message?.(request) ?? (error instanceof SyntaxError ? `Body is not valid JSON: ${error.message}` : error.message)
    if (statusCode >= 500) request.log.warn({ code }, message)
    return reply.code(statusCode).send(errorBody(statusCode, code, message))
  })

  app.setNotFoundHandler((request, reply) => {
    if (servesConsole?.(request) === true) return reply.sendFile('index.html')
    return reply.code(404).send(errorBody(404, 'NOT_FOUND', `Route ${request.method} ${request.url.split('?')[0]} not found`))
  })
}
