// Request validation. Query strings, path parameters and headers arrive as text, so their types are
// coerced; JSON bodies are typed already and are validated as sent: `{"name": 42}` is an error, not "42".
import { Ajv, type Options } from 'ajv'
import formats from 'ajv-formats'
import type { FastifySchemaCompiler } from 'fastify'

function ajvWith (options: Options): Ajv {
  const ajv = new Ajv({ removeAdditional: false, useDefaults: true, allErrors: false, strict: false, ...options })
  // ajv-formats is CommonJS: at run time the default import is the plugin function itself.
  ;(formats as unknown as typeof formats.default)(ajv)
  return ajv
}

export function createValidatorCompiler (): FastifySchemaCompiler<unknown> {
  const forBodies = ajvWith({ coerceTypes: false })
  const forText = ajvWith({ coerceTypes: 'array' })
  return ({ schema, httpPart }) => (httpPart === 'body' ? forBodies : forText).compile(schema as object)
}
