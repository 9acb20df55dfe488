// One schema for the whole configuration: environment variables and the optional JSON config file
// are both validated against it, and the TypeScript type is derived from it.
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import Type, { type Static, type TSchema } from 'typebox'
import Value from 'typebox/value'
import { devicesConfig } from '../plugins/devices/config.js'
import { metricsConfig } from '../plugins/metrics/config.js'
import { oauthConfig } from '../plugins/oauth/config.js'
import { portainerConfig } from '../plugins/portainer/config.js'
import { routingConfig } from '../plugins/routing/config.js'
import { schedulerConfig } from '../plugins/scheduler/config.js'
import { tenantsConfig } from '../plugins/tenants/config.js'
import { key, type KeyOptions } from './config-key.js'
import { StartupError } from './startup-error.js'

export const ConfigSchema = Type.Object({
  host: key(Type.String({ minLength: 1, default: '0.0.0.0' }), {
    env: 'HOST', description: 'Address the HTTP server listens on.'
  }),
  port: key(Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }), {
    env: 'PORT', description: 'TCP port of the HTTP server (console, API, instance hosts). 0 picks a free port.'
  }),
  publicUrl: key(Type.Optional(Type.String({ pattern: '^https?://[^/?#]+$' })), {
    env: 'PUBLIC_URL', allowed: 'an http(s) origin without path, e.g. https://cloud.example.com', description: 'Origin of the console as users reach it, e.g. `https://cloud.example.com`. Default: `http://localhost:<PORT>`.'
  }),
  appsDomain: key(Type.String({ pattern: '^(?=.{1,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$', default: 'localhost' }), {
    env: 'APPS_DOMAIN', allowed: 'a lowercase DNS domain, e.g. apps.example.com', description: 'Instances live at `<slug>.<APPS_DOMAIN>`; `localhost` makes `http://<slug>.localhost:<PORT>` work in a browser.'
  }),
  dataDir: key(Type.String({ minLength: 1, default: './data' }), {
    env: 'OPENCLAW_CLOUD_DATA_DIR', description: 'Directory for the embedded database and other local state.'
  }),
  databaseUrl: key(Type.Optional(Type.String({ pattern: '^(postgres|postgresql)://.+|^sqlite:.+' })), {
    env: 'DATABASE_URL', secret: true, allowed: 'a postgres:// URL, sqlite:FILE or sqlite::memory:',
    description: '`postgres://user:pass@host:5432/db` selects PostgreSQL; `sqlite:<file>` or `sqlite::memory:` selects SQLite. Default: SQLite at `<OPENCLAW_CLOUD_DATA_DIR>/openclaw-cloud.sqlite`.'
  }),
  plugins: key(Type.Optional(Type.Array(Type.String({ pattern: '^[a-z][a-z0-9-]*$' }), { uniqueItems: true })), {
    env: 'OPENCLAW_CLOUD_PLUGINS', description: 'Server plugins to enable: comma-separated in the environment, a list in the file. Default: all installed plugins.'
  }),
  logLevel: key(Type.Union([Type.Literal('fatal'), Type.Literal('error'), Type.Literal('warn'), Type.Literal('info'), Type.Literal('debug'), Type.Literal('trace'), Type.Literal('silent')], { default: 'info' }), {
    env: 'LOG_LEVEL', description: 'Minimum level of log lines written to stdout.'
  }),
  bodyLimit: key(Type.Integer({ minimum: 1024, maximum: 1024 * 1024 * 1024, default: 1024 * 1024 }), {
    env: 'OPENCLAW_CLOUD_BODY_LIMIT', description: 'Largest accepted request body for the API, in bytes.'
  }),
  shutdownTimeout: key(Type.Integer({ minimum: 0, maximum: 600_000, default: 10_000 }), {
    env: 'OPENCLAW_CLOUD_SHUTDOWN_TIMEOUT', description: 'Milliseconds in-flight requests get to finish on SIGTERM/SIGINT before the process exits anyway.'
  }),
  ...oauthConfig,
  ...devicesConfig,
  ...schedulerConfig,
  ...tenantsConfig,
  ...routingConfig,
  ...portainerConfig,
  ...metricsConfig
}, { additionalProperties: false })

export type ConfigInput = Static<typeof ConfigSchema>
/** The configuration after defaults that depend on other keys are filled in. */
export type Config = ConfigInput & { publicUrl: string }

export const CONFIG_FILE_ENV = 'OPENCLAW_CLOUD_CONFIG'
export const DEFAULT_CONFIG_FILE = 'openclaw-cloud.json'

type ConfigKey = keyof ConfigInput
type KeySchema = TSchema & KeyOptions

export function configKeys (): Array<{ key: ConfigKey, schema: KeySchema }> {
  return Object.entries(ConfigSchema.properties).map(([name, schema]) => ({ key: name as ConfigKey, schema: schema as KeySchema }))
}

export class ConfigError extends StartupError {
  constructor (readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`)
  }
}

export interface ConfigSources {
  env?: NodeJS.ProcessEnv
  /** Explicit config file; otherwise `$OPENCLAW_CLOUD_CONFIG`, else `./openclaw-cloud.json` if it exists. */
  file?: string
  cwd?: string
  /** Values given in code (tests, embedding); they win over file and environment. */
  overrides?: Partial<ConfigInput>
}

interface Origin { source: string, label: string }

/** Loads, merges (file < environment < overrides) and validates the configuration. */
export async function loadConfig (sources: ConfigSources = {}): Promise<Config> {
  const env = sources.env ?? process.env
  const cwd = sources.cwd ?? process.cwd()
  const origins = new Map<string, Origin>()
  const merged: Record<string, unknown> = {}

  const file = await readConfigFile(sources.file ?? env[CONFIG_FILE_ENV], cwd)
  if (file !== undefined) {
    for (const [name, value] of Object.entries(file.values)) {
      merged[name] = value
      origins.set(name, { source: `config file ${file.path}`, label: name })
    }
  }
  for (const { key: name, schema } of configKeys()) {
    const raw = env[schema.env]
    if (raw === undefined || raw === '') continue
    merged[name] = fromEnvString(raw, schema)
    origins.set(name, { source: 'environment', label: schema.env })
  }
  for (const [name, value] of Object.entries(sources.overrides ?? {})) {
    merged[name] = value
    origins.set(name, { source: 'code', label: name })
  }

  const candidate = Value.Default(ConfigSchema, Value.Convert(ConfigSchema, merged)) as Record<string, unknown>
  const problems = describeProblems(candidate, origins)
  if (problems.length > 0) throw new ConfigError(problems)

  const input = candidate as ConfigInput
  return { ...input, dataDir: path.resolve(cwd, input.dataDir), publicUrl: input.publicUrl ?? `http://localhost:${input.port}` }
}

async function readConfigFile (explicit: string | undefined, cwd: string): Promise<{ path: string, values: Record<string, unknown> } | undefined> {
  const filePath = path.resolve(cwd, explicit ?? DEFAULT_CONFIG_FILE)
  let text: string
  try {
    text = await readFile(filePath, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && explicit === undefined) return undefined
    throw new ConfigError([`config file ${filePath} cannot be read: ${(err as Error).message}`])
  }
  let values: unknown
  try {
    values = JSON.parse(text)
  } catch (err) {
    throw new ConfigError([`config file ${filePath} is not valid JSON: ${(err as Error).message}`])
  }
  if (values === null || typeof values !== 'object' || Array.isArray(values)) {
    throw new ConfigError([`config file ${filePath} must hold a JSON object of settings`])
  }
  return { path: filePath, values: values as Record<string, unknown> }
}

/**
 * Environment variables are strings; lists are comma-separated, lists of objects JSON. Numbers and
 * booleans are converted by the schema.
 */
function fromEnvString (raw: string, schema: KeySchema): unknown {
  const list = schema as { type?: unknown, items?: { type?: unknown } }
  if (list.type !== 'array') return raw
  if (list.items?.type === 'object') {
    try {
      return JSON.parse(raw)
    } catch {
      return raw
    }
  }
  return raw.split(',').map((item) => item.trim()).filter((item) => item !== '')
}

function describeProblems (candidate: Record<string, unknown>, origins: Map<string, Origin>): string[] {
  const problems: string[] = []
  const properties: Record<string, KeySchema> = ConfigSchema.properties
  for (const name of Object.keys(candidate)) {
    if (!(name in properties)) {
      const origin = origins.get(name)
      problems.push(`unknown setting "${name}"${origin === undefined ? '' : ` in ${origin.source}`}; known settings: ${Object.keys(properties).join(', ')}`)
    }
  }
  for (const [name, schema] of Object.entries(properties)) {
    const value = candidate[name]
    if (value === undefined || Value.Check(schema, value)) continue
    const origin = origins.get(name) ?? { source: 'default', label: name }
    problems.push(`${origin.label}=${schema.secret === true ? '(secret value)' : JSON.stringify(value)} (from ${origin.source}) is invalid: must be ${describeAllowed(schema)}`)
  }
  return problems
}

/** Says in words what a schema allows, for error messages and the README table. */
export function describeAllowed (schema: KeySchema): string {
  if (schema.allowed !== undefined) return schema.allowed
  const s = schema as unknown as Record<string, unknown>
  if (Array.isArray(s.anyOf)) return `one of ${(s.anyOf as Array<{ const: unknown }>).map((option) => String(option.const)).join(', ')}`
  if (s.type === 'integer') return `an integer from ${String(s.minimum)} to ${String(s.maximum)}`
  if (s.type === 'array') return 'a list of plugin names (lowercase letters, digits, dashes), without repeats'
  return 'a non-empty string'
}

/** The configuration with secrets masked, for `config check` and logs. */
export function redactConfig (config: Config): Record<string, unknown> {
  const shown: Record<string, unknown> = { ...config }
  for (const { key: name, schema } of configKeys()) {
    if (schema.secret !== true || shown[name] === undefined) continue
    const value = shown[name]
    // Lists of objects (OIDC providers) keep everything but their secrets readable.
    shown[name] = Array.isArray(value) ? value.map((item: Record<string, unknown>) => ({ ...item, clientSecret: '***' })) : maskSecretUrl(String(value))
  }
  return shown
}

function maskSecretUrl (value: string): string {
  try {
    const url = new URL(value)
    if (url.password !== '') url.password = '***'
    return url.toString()
  } catch {
    return '***'
  }
}

/** The URL of an instance: `<slug>.<APPS_DOMAIN>` with the console's scheme and port. */
export function instanceUrl (config: Pick<Config, 'publicUrl' | 'appsDomain'>, slug: string): string {
  const console = new URL(config.publicUrl)
  return `${console.protocol}//${slug}.${config.appsDomain}${console.port === '' ? '' : `:${console.port}`}`
}
