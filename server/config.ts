// One schema for the whole configuration: environment variables and the optional JSON config file
// are both validated against it, and the TypeScript type is derived from it.
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import Type, { type Static, type TSchema } from 'typebox'
import Value from 'typebox/value'
import { StartupError } from './startup-error.js'

/** Extra keywords kept on each property: the environment variable that sets it, and whether it is secret. */
interface KeyOptions {
  env: string
  description: string
  /** What a valid value looks like, in words, where the schema alone does not say it well. */
  allowed?: string
  secret?: boolean
}

function key<T extends TSchema> (schema: T, options: KeyOptions): T & KeyOptions {
  return Object.assign(schema, options)
}

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
  mqttHost: key(Type.String({ minLength: 1, default: '0.0.0.0' }), {
    env: 'MQTT_HOST', description: 'Address the MQTT broker listens on (plain TCP and TLS). MQTT over WebSocket is served at `/mqtt` on the HTTP server.'
  }),
  mqttPort: key(Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })), {
    env: 'MQTT_PORT', description: 'TCP port of the MQTT broker for boxes. 0 picks a free port. Default: 1883, or a free port (logged) when another broker already holds 1883; a port set here must be free.'
  }),
  mqttTlsPort: key(Type.Integer({ minimum: 0, maximum: 65535, default: 8883 }), {
    env: 'MQTT_TLS_PORT', description: 'Port of MQTT over TLS; it listens only when `MQTT_TLS_CERT` and `MQTT_TLS_KEY` are set. 0 picks a free port.'
  }),
  mqttTlsCert: key(Type.Optional(Type.String({ minLength: 1 })), {
    env: 'MQTT_TLS_CERT', allowed: 'a file path', description: 'PEM certificate chain for MQTT over TLS.'
  }),
  mqttTlsKey: key(Type.Optional(Type.String({ minLength: 1 })), {
    env: 'MQTT_TLS_KEY', allowed: 'a file path', description: 'PEM private key for MQTT over TLS.'
  }),
  mqttMaxPayload: key(Type.Integer({ minimum: 256, maximum: 64 * 1024, default: 64 * 1024 }), {
    env: 'MQTT_MAX_PAYLOAD_BYTES', description: 'Largest payload a box may publish; a larger one is dropped and counted, the box stays connected.'
  }),
  mqttPublishRate: key(Type.Number({ minimum: 0.1, maximum: 10_000, default: 10 }), {
    env: 'MQTT_PUBLISH_RATE', allowed: 'a number from 0.1 to 10000', description: 'Messages per second one box may publish on average; a box that exceeds it beyond `MQTT_PUBLISH_BURST` is disconnected.'
  }),
  mqttPublishBurst: key(Type.Integer({ minimum: 1, maximum: 100_000, default: 50 }), {
    env: 'MQTT_PUBLISH_BURST', description: 'Messages one box may publish back to back before `MQTT_PUBLISH_RATE` applies.'
  }),
  telemetryRetentionDays: key(Type.Integer({ minimum: 1, maximum: 3650, default: 30 }), {
    env: 'TELEMETRY_RETENTION_DAYS', description: 'Days of box telemetry history kept; older samples are deleted hourly. The latest sample per box is always kept.'
  }),
  commandTtlSeconds: key(Type.Integer({ minimum: 1, maximum: 30 * 86_400, default: 86_400 }), {
    env: 'COMMAND_TTL_SECONDS', description: 'Default lifetime of a box command; a command not delivered by then expires and never runs.'
  }),
  smtpUrl: key(Type.Optional(Type.String({ pattern: '^smtps?://.+' })), {
    env: 'SMTP_URL', secret: true, allowed: 'an smtp:// or smtps:// URL', description: 'Mail server for account mail (verification, password reset), e.g. `smtps://user:pass@mail.example.com:465`. Without it, links are written to the server log.'
  }),
  mailFrom: key(Type.String({ minLength: 3, default: 'OpenClaw Cloud <no-reply@localhost>' }), {
    env: 'MAIL_FROM', description: 'Sender address of account mail.'
  }),
  requireEmailVerification: key(Type.Optional(Type.Boolean()), {
    env: 'REQUIRE_EMAIL_VERIFICATION', allowed: 'true or false', description: 'Unverified accounts can sign in but not use routes that need a verified email. Default: on when `SMTP_URL` is set, off otherwise.'
  }),
  adminEmails: key(Type.Optional(Type.Array(Type.String({ format: 'email' }), { uniqueItems: true })), {
    env: 'ADMIN_EMAILS', allowed: 'email addresses, comma-separated in the environment', description: 'Accounts with these emails get the admin role once their email is verified (or on registration when verification is off).'
  }),
  authRateLimit: key(Type.Integer({ minimum: 1, maximum: 100_000, default: 20 }), {
    env: 'AUTH_RATE_LIMIT', description: 'Requests one client address may make to each sign-in, registration, password-reset and token endpoint per `AUTH_RATE_WINDOW`.'
  }),
  authRateWindow: key(Type.Integer({ minimum: 100, maximum: 86_400_000, default: 60_000 }), {
    env: 'AUTH_RATE_WINDOW', description: 'Window of `AUTH_RATE_LIMIT`, in milliseconds.'
  }),
  loginLockoutThreshold: key(Type.Integer({ minimum: 1, maximum: 1000, default: 5 }), {
    env: 'LOGIN_LOCKOUT_THRESHOLD', description: 'Failed sign-ins in a row after which an account is locked for a while.'
  }),
  loginLockoutWindow: key(Type.Integer({ minimum: 10, maximum: 86_400_000, default: 60_000 }), {
    env: 'LOGIN_LOCKOUT_WINDOW', description: 'First lockout, in milliseconds; it doubles with each further failure, up to 64 times this.'
  }),
  passwordHashCost: key(Type.Integer({ minimum: 10, maximum: 20, default: 15 }), {
    env: 'PASSWORD_HASH_COST', description: 'scrypt cost of password hashes as log2(N). Raising it upgrades each stored hash at its next sign-in.'
  }),
  dockerSocket: key(Type.String({ minLength: 1, default: '/var/run/docker.sock' }), {
    env: 'DOCKER_SOCKET', allowed: 'a file path', description: 'Local Docker engine socket; when it answers, it is registered as worker `local`.'
  }),
  schedulingStrategy: key(Type.Union([Type.Literal('least-loaded'), Type.Literal('bin-pack'), Type.Literal('spread'), Type.Literal('round-robin')], { default: 'least-loaded' }), {
    env: 'SCHEDULING_STRATEGY', description: 'How a worker is picked for a new instance.'
  }),
  schedulingSpreadLabel: key(Type.String({ minLength: 1, default: 'zone' }), {
    env: 'SCHEDULING_SPREAD_LABEL', description: 'Worker label whose values share instances evenly under the `spread` strategy.'
  }),
  workerCpuOvercommit: key(Type.Number({ minimum: 0.1, maximum: 100, default: 4 }), {
    env: 'WORKER_CPU_OVERCOMMIT', allowed: 'a number from 0.1 to 100', description: 'CPUs the local worker offers per core (plan CPU limits are shares, mostly idle).'
  }),
  workerHeartbeatTimeout: key(Type.Integer({ minimum: 1000, maximum: 86_400_000, default: 90_000 }), {
    env: 'WORKER_HEARTBEAT_TIMEOUT', description: 'Milliseconds without a heartbeat after which a worker is marked offline.'
  }),
  tenantImage: key(Type.String({ minLength: 1, default: 'ghcr.io/openclaw/openclaw:2026.9.6' }), {
    env: 'TENANT_IMAGE', description: 'Gateway image of instances, unless a plan names its own.'
  }),
  tenantPlans: key(Type.Optional(Type.Partial(Type.Record(Type.Union([Type.Literal('free'), Type.Literal('basic'), Type.Literal('pro'), Type.Literal('enterprise')]), Type.Object({
    memory: Type.Optional(Type.Integer({ minimum: 64 * 1024 * 1024 })),
    cpus: Type.Optional(Type.Number({ minimum: 0.01, maximum: 256 })),
    pids: Type.Optional(Type.Integer({ minimum: 16, maximum: 1_000_000 })),
    maxInstances: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })),
    idleTimeout: Type.Optional(Type.Integer({ minimum: 0 })),
    image: Type.Optional(Type.String({ minLength: 1 }))
  }, { additionalProperties: false })))), {
    env: 'TENANT_PLANS', allowed: 'an object in the config file: { "free"|"basic"|"pro"|"enterprise": { memory (bytes), cpus, pids, maxInstances, idleTimeout (seconds, 0 = never), image } }',
    description: 'Changes to the built-in plans (free 1 GiB / 0.5 CPU / 1 instance, basic 2 GiB / 1 CPU / 2, pro 4 GiB / 2 CPU / 5, enterprise 8 GiB / 4 CPU / 20); set in the config file.'
  }),
  tenantVolumeGrace: key(Type.Integer({ minimum: 0, maximum: 365 * 86_400, default: 7 * 86_400 }), {
    env: 'TENANT_VOLUME_GRACE', description: 'Seconds a deleted instance\'s state volume is kept before it is removed (`?purge=true` removes it at once).'
  }),
  reconcileInterval: key(Type.Integer({ minimum: 100, maximum: 3_600_000, default: 30_000 }), {
    env: 'RECONCILE_INTERVAL', description: 'Milliseconds between full sweeps that converge every worker to the database (Docker events trigger faster ones).'
  }),
  orphanGrace: key(Type.Integer({ minimum: 0, maximum: 86_400_000, default: 300_000 }), {
    env: 'ORPHAN_GRACE', description: 'Milliseconds a managed container with no instance may live before the reconciler removes it.'
  }),
  tenantStartTimeout: key(Type.Integer({ minimum: 1000, maximum: 3_600_000, default: 180_000 }), {
    env: 'TENANT_START_TIMEOUT', description: 'Milliseconds an instance gets to answer /readyz after its container starts before it is reported failed.'
  })
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

/** Environment variables are strings; lists are comma-separated. Numbers and booleans are converted by the schema. */
function fromEnvString (raw: string, schema: KeySchema): unknown {
  const isList = (schema as { type?: unknown }).type === 'array'
  return isList ? raw.split(',').map((item) => item.trim()).filter((item) => item !== '') : raw
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
    problems.push(`${origin.label}=${JSON.stringify(value)} (from ${origin.source}) is invalid: must be ${describeAllowed(schema)}`)
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
    if (schema.secret === true && shown[name] !== undefined) shown[name] = maskSecretUrl(String(shown[name]))
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
