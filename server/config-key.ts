import type { TSchema } from 'typebox'

/** Extra keywords kept on each config property: the environment variable that sets it, and whether it is secret. */
export interface KeyOptions {
  env: string
  description: string
  /** What a valid value looks like, in words, where the schema alone does not say it well. */
  allowed?: string
  secret?: boolean
}

export function key<T extends TSchema> (schema: T, options: KeyOptions): T & KeyOptions {
  return Object.assign(schema, options)
}
