#!/usr/bin/env node
// `openclaw-cloud`: serve, migrate, check the configuration, list its keys.
import { Command } from 'commander'
import pino from 'pino'
import { loadConfig, redactConfig } from './config.js'
import { configTable } from './config-table.js'
import { databaseTarget, describeTarget, entitiesOf, migrate, openDatabase } from './db.js'
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

program.command('migrate')
  .description('apply pending database migrations and exit (serve also does this on start)')
  .action(async () => {
    const config = await loadConfig()
    const target = databaseTarget(config.databaseUrl, config.dataDir)
    const orm = await openDatabase({
      target,
      entities: entitiesOf(installedPlugins),
      logger: pino({ level: 'warn' })
    })
    try {
      const applied = await migrate(orm)
      console.log(applied.length === 0
        ? `${describeTarget(target)} is up to date`
        : `Applied ${applied.length} migration(s) to ${describeTarget(target)}:\n${applied.map((name) => `  ${name}`).join('\n')}`)
    } finally {
      await orm.close()
    }
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
