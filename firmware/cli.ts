#!/usr/bin/env node
// openclaw-box: the box daemon, run by systemd (firmware/systemd/openclaw-box.service) or, with
// `--simulate`, on any Linux machine.
import { Command, InvalidArgumentError, Option } from 'commander'
import pino from 'pino'
import { startBox } from './daemon.js'
import { loadSimulatedNetworks } from './drivers/wifi-sim.js'
import { DEFAULT_INSTALL, DEFAULT_INSTALL_RETRY_MS } from './gateway/versions.js'
import { defaultOptions, type BoxOptions } from './options.js'
import { FIRMWARE_VERSION } from './version.js'

const integer = (min: number) => (value: string): number => {
  const n = Number(value)
  if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`must be an integer >= ${min}`)
  return n
}

const program = new Command('openclaw-box').version(FIRMWARE_VERSION)
program.command('run')
  .description('run the box daemon')
  .requiredOption('--credentials <file>', 'factory credential file')
  .requiredOption('--data <dir>', 'data directory (state, display image in simulation)')
  .option('--simulate', 'simulated Wi-Fi, display (PNG in the data dir) and button (local API)', false)
  .option('--api-port <port>', 'local API port on 127.0.0.1 (0 = free port)', integer(0))
  .option('--setup-host <address>', 'address of the setup page')
  .option('--setup-port <port>', 'port of the setup page (0 = free port)', integer(0))
  .option('--dns-port <port>', 'port of the captive DNS (0 = free port)', integer(0))
  .option('--wifi-interface <name>', 'Wi-Fi interface for NetworkManager', 'wlan0')
  .option('--networks <file>', 'simulated networks: JSON [{ssid, password?, signalPercent}]')
  .option('--offline-fallback <seconds>', 'seconds offline before falling back to setup', integer(1))
  .option('--telemetry-interval <seconds>', 'seconds between telemetry samples', integer(1), 30)
  .addOption(new Option('--gateway-command <command>', 'command line of the OpenClaw gateway (split at spaces)').env('OPENCLAW_BOX_GATEWAY'))
  .option('--gateway-port <port>', 'loopback port of the gateway', integer(1), 18789)
  .option('--gateway-npm <command>', 'npm that installs OpenClaw versions for upgrade-gateway', DEFAULT_INSTALL.npm)
  .option('--gateway-package <spec>', 'npm spec of an OpenClaw version; {version} is replaced (e.g. /srv/mirror/openclaw-{version}.tgz)', DEFAULT_INSTALL.packageSpec)
  .option('--gateway-registry <url>', 'npm registry for OpenClaw installs (default: npm\'s own)')
  .option('--gateway-npm-cache <dir>', 'npm cache directory for OpenClaw installs (default: npm\'s own)')
  .option('--gateway-install-timeout <seconds>', 'seconds an OpenClaw install may take', integer(1), DEFAULT_INSTALL.installTimeoutMs / 1000)
  .option('--gateway-start-timeout <seconds>', 'seconds the gateway may take to answer its health check before it is restarted (after an upgrade: rolled back)', integer(1), DEFAULT_INSTALL.healthTimeoutMs / 1000)
  .option('--gateway-install-retry <seconds>', 'seconds before retrying a failed install of the cloud\'s desired OpenClaw version (doubling, up to 6 h)', integer(1), DEFAULT_INSTALL_RETRY_MS / 1000)
  .option('--button-device <path>', 'evdev input device of the button (e.g. /dev/input/event0)')
  .action(async (flags: Record<string, unknown>) => {
    const simulate = flags.simulate === true
    const defaults = defaultOptions(flags.credentials as string, flags.data as string, simulate)
    const gateway = (flags.gatewayCommand as string | undefined)?.trim().split(/\s+/)
    const options: BoxOptions = {
      ...defaults,
      apiPort: (flags.apiPort as number | undefined) ?? defaults.apiPort,
      setupHost: (flags.setupHost as string | undefined) ?? defaults.setupHost,
      setupPort: (flags.setupPort as number | undefined) ?? defaults.setupPort,
      dnsPort: (flags.dnsPort as number | undefined) ?? defaults.dnsPort,
      wifiInterface: flags.wifiInterface as string,
      offlineFallbackMs: flags.offlineFallback === undefined ? defaults.offlineFallbackMs : (flags.offlineFallback as number) * 1000,
      telemetryIntervalMs: (flags.telemetryInterval as number) * 1000,
      ...(gateway === undefined
        ? {}
        : {
            gateway: {
              command: gateway[0]!,
              args: gateway.slice(1),
              port: flags.gatewayPort as number,
              healthPath: '/healthz',
              install: {
                npm: flags.gatewayNpm as string,
                packageSpec: flags.gatewayPackage as string,
                ...(flags.gatewayRegistry === undefined ? {} : { registry: flags.gatewayRegistry as string }),
                ...(flags.gatewayNpmCache === undefined ? {} : { cache: flags.gatewayNpmCache as string }),
                installTimeoutMs: (flags.gatewayInstallTimeout as number) * 1000,
                healthTimeoutMs: (flags.gatewayStartTimeout as number) * 1000,
                retryMs: (flags.gatewayInstallRetry as number) * 1000
              }
            }
          }),
      ...(flags.networks === undefined ? {} : { simulatedNetworks: await loadSimulatedNetworks(flags.networks as string) }),
      ...(flags.buttonDevice === undefined ? {} : { buttonDevice: flags.buttonDevice as string })
    }
    const log = pino({ name: 'openclaw-box' })
    const starting = startBox(options, { log })
    // Registered before the box is up: a SIGTERM during start still ends in a clean stop.
    const shutdown = (signal: string): void => {
      log.info({ signal }, 'stopping')
      starting.then((box) => box.stop()).then(() => process.exit(0), (err: unknown) => { log.error({ err }, 'stop failed'); process.exit(1) })
    }
    process.once('SIGTERM', () => shutdown('SIGTERM'))
    process.once('SIGINT', () => shutdown('SIGINT'))
    const box = await starting
    log.info({ api: box.apiUrl, setup: box.setupUrl, simulate }, 'openclaw-box running')
  })

await program.parseAsync(process.argv)
