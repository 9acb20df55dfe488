#!/usr/bin/env node
// `openclaw-cloud`: serve, migrate, create users, check the configuration, list its keys.
import type { MikroORM } from '@mikro-orm/core'
import { Command } from 'commander'
import { text } from 'node:stream/consumers'
import pino, { type Logger } from 'pino'
import { createUserCommand } from '../plugins/oauth/cli.js'
import { runWorkerAgent } from '../plugins/scheduler/agent-cli.js'
import { loadConfig, redactConfig, type Config } from './config.js'
import { configTable } from './config-table.js'
import { databaseTarget, describeTarget, entitiesOf, migrate, openDatabase, type DatabaseTarget } from './db.js'
import { installedPlugins } from './installed-plugins.js'
import { packageInfo } from './package-info.js'
import { pluginName, resolvePlugins } from './plugins.js'
import { serve } from './serve.js'
import { StartupError } from './startup-error.js'

const program = new Command('openclaw-cloud')
  .description('OpenClaw Cloud: the control plane for OpenClaw instances and OpenClaw Boxes')
  .version(packageInfo.version)

program.command('serve')
  .description('start the server (HTTP API, console, enabled plugins) on the configured address')
  .action(async () => { await serve(await loadConfig()) })

const logger = (): Logger => pino({ level: 'warn' })

/** Opens the configured database with pending migrations applied, runs `work`, and closes it. */
async function withDatabase (config: Config, work: (orm: MikroORM, applied: string[], target: DatabaseTarget) => Promise<void>): Promise<void> {
  const target = databaseTarget(config.databaseUrl, config.dataDir)
  const orm = await openDatabase({ target, entities: entitiesOf(installedPlugins), logger: logger() })
  try {
    await work(orm, await migrate(orm), target)
  } finally {
    await orm.close()
  }
}

program.command('migrate')
  .description('apply pending database migrations and exit (serve also does this on start)')
  .action(async () => {
    await withDatabase(await loadConfig(), async (_orm, applied, target) => {
      console.log(applied.length === 0
        ? `${describeTarget(target)} is up to date`
        : `Applied ${applied.length} migration(s) to ${describeTarget(target)}:\n${applied.map((name) => `  ${name}`).join('\n')}`)
    })
  })

program.command('user').description('manage accounts (oauth plugin)')
  .command('create')
  .description('create a verified local account, e.g. the first admin')
  .requiredOption('--email <email>', 'email address of the account')
  .option('--password-stdin', 'read the password from stdin (never from the command line, where other users could see it)')
  .option('--admin', 'give the account the admin role')
  .action(async (options: { email: string, passwordStdin?: boolean, admin?: boolean }) => {
    if (options.passwordStdin !== true) throw new StartupError('Pass --password-stdin and the password on stdin, e.g. `printf %s "$PASSWORD" | openclaw-cloud user create --email ... --password-stdin`')
    const password = (await text(process.stdin)).replace(/\r?\n$/, '')
    const config = await loadConfig()
    await withDatabase(config, async (orm) => {
      console.log(await createUserCommand(orm, config, logger(), { email: options.email, password, admin: options.admin === true }))
    })
  })

program.command('worker-agent')
  .description('run on a Docker host: register it as a worker with its key ($OPENCLAW_WORKER_KEY) and heartbeat with live stats')
  .requiredOption('--server <url>', 'the control plane, e.g. https://cloud.example.com')
  .option('--docker-socket <path>', 'the local Docker engine the agent measures', '/var/run/docker.sock')
  .option('--endpoint <url>', 'how the control plane reaches this engine: unix:///path (same machine) or tcp://host:2376 with --tls-dir; default: unix://<docker socket>')
  .option('--tls-dir <dir>', 'directory with ca.pem, cert.pem and key.pem for a tcp:// endpoint (Docker\'s DOCKER_CERT_PATH layout)')
  .option('--label <key=value>', 'a worker label such as zone=eu-1; repeatable', (value: string, labels: string[]) => [...labels, value], [] as string[])
  .option('--interval <seconds>', 'seconds between heartbeats', '30')
  .option('--cpu-overcommit <factor>', 'CPUs offered per core', '4')
  .action(async (options: { server: string, dockerSocket: string, endpoint?: string, tlsDir?: string, label: string[], interval: string, cpuOvercommit: string }) => {
    await runWorkerAgent(options)
  })

const configCommand = program.command('config').description('inspect the configuration')

configCommand.command('check')
  .description('validate environment and config file without starting; print the result with secrets masked')
  .option('--json', 'print the resolved configuration as JSON')
  .action(async (options: { json?: boolean }) => {
    const config = await loadConfig()
    const enabled = resolvePlugins(installedPlugins, config.plugins).map(pluginName)
    const shown = { ...redactConfig(config), plugins: enabled }
    if (options.json === true) console.log(JSON.stringify(shown, null, 2))
    else console.log(`Configuration is valid.\n${Object.entries(shown).map(([name, value]) => `  ${name}: ${JSON.stringify(value)}`).join('\n')}`)
  })

configCommand.command('keys')
  .description('print every configuration key as a Markdown table (the one in README.md)')
  .action(() => { console.log(configTable()) })

try {
  await program.parseAsync()
} catch (err) {
  // Mistakes the operator must fix: say what is wrong, without a stack trace.
  if (err instanceof StartupError) {
    console.error(`openclaw-cloud: ${err.message}`)
    process.exit(1)
  }
  throw err
}
