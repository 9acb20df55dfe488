// The box daemon: loads the persisted snapshot and the factory credentials, then drives the state
// machine. Every transition is persisted (durably) before anything acts on it, logged, and then
// the daemon converges its services (state/services.ts), starts the state's own work (joining,
// retrying, resetting) and updates the display.
import { randomBytes } from 'node:crypto'
import { mkdir, readFile, rm } from 'node:fs/promises'
import { dirname } from 'node:path'
import pino, { type Logger } from 'pino'
import { buildDeviceClaimUrl } from '../protocol/claim-code.js'
import { parseDeviceCredentials, type DeviceCredentials } from '../protocol/credentials.js'
import { importPrivateKeyPem } from '../protocol/device-keys.js'
import type { DesiredConfig } from '../protocol/payloads.js'
import { startLocalApi, type LocalApi } from './api.js'
import { createCommandHandler } from './cloud/commands.js'
import { createDeviceFlowClaimer, type DeviceFlowClaimer, type DeviceFlowView } from './cloud/device-flow.js'
import { createCloudLink, type CloudLink } from './cloud/link.js'
import { createTelemetrySampler } from './cloud/telemetry.js'
import { createTokenSource } from './cloud/token.js'
import { createTunnelClient, type TunnelClient } from './tunnel/client.js'
import { realDrivers, simulatedDrivers } from './drivers/index.js'
import { WifiJoinError, type AccessPoint, type ButtonPress, type Drivers, type WifiNetwork } from './drivers/types.js'
import { boxGatewayConfig, gatewayHome } from './gateway/openclaw-config.js'
import { createGatewaySupervisor, type GatewaySupervisor } from './gateway/supervisor.js'
import { createVersionFollower } from './gateway/follow-version.js'
import { createGatewayUpgrader, type GatewayUpgrader } from './gateway/upgrade.js'
import { createGatewayVersions, DEFAULT_INSTALL, DEFAULT_INSTALL_RETRY_MS, gatewayRoot, PACKAGE_PLACEHOLDER } from './gateway/versions.js'
import type { BoxOptions } from './options.js'
import { screenFor, statusScreen, type ScreenContext } from './screens.js'
import { startCaptiveDns, type CaptiveDns } from './setup/dns.js'
import { createSetupServer, SetupRefused, type SetupView } from './setup/server.js'
import { writeFileDurable } from './state/atomic.js'
import { InvalidTransition, transition, type BoxEvent, type BoxSnapshot, type BoxState } from './state/machine.js'
import { servicesFor } from './state/services.js'
import { createStateStore } from './state/store.js'
import { FIRMWARE_VERSION } from './version.js'

export interface Box {
  readonly snapshot: BoxSnapshot
  readonly deviceId: string | undefined
  readonly apiUrl: string
  readonly setupUrl: string
  readonly accessPoint: AccessPoint | undefined
  readonly dnsPort: number | undefined
  readonly drivers: Drivers
  readonly gateway: GatewaySupervisor | undefined
  readonly cloud: CloudLink | undefined
  readonly tunnel: TunnelClient | undefined
  /** The device-flow claim code shown now (RFC 8628), or null. */
  readonly deviceFlow: DeviceFlowView | null
  dispatch: (event: BoxEvent) => Promise<void>
  press: (press: ButtonPress) => void
  whenState: (state: BoxState, timeoutMs?: number) => Promise<BoxSnapshot>
  stop: () => Promise<void>
}

async function readCredentials (file: string): Promise<DeviceCredentials | string> {
  try {
    return parseDeviceCredentials(await readFile(file, 'utf8'))
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? `credential file ${file} does not exist` : `credential file ${file}: ${(err as Error).message}`
  }
}

export async function startBox (options: BoxOptions, deps: { drivers?: Drivers, log?: Logger } = {}): Promise<Box> {
  const log = deps.log ?? pino({ name: 'openclaw-box' })
  const drivers = deps.drivers ?? (options.simulate ? simulatedDrivers(options) : realDrivers(options, (err) => log.error({ err }, 'button device failed')))
  const store = createStateStore(options.dataDir)
  const loaded = await store.load()
  if (loaded.recovered !== undefined) log.error(loaded.recovered)
  let snapshot = loaded.snapshot
  log.info({ state: snapshot.state, seq: snapshot.seq }, 'state loaded')

  const credentials = await readCredentials(options.credentialsFile)
  const creds = typeof credentials === 'string' ? undefined : credentials
  const deviceId = creds?.deviceId
  const claimUrl = creds === undefined ? undefined : buildDeviceClaimUrl(creds.serverUrl, creds.deviceId)
  // The setup network's passphrase is new on every boot and shown only on the display.
  const apPassword = randomBytes(6).toString('base64url').replace(/[-_]/g, 'x')
  const apSsid = `OpenClaw-${deviceId?.slice(-4) ?? 'Box'}`

  let accessPoint: AccessPoint | undefined
  let dns: CaptiveDns | undefined
  let pendingPassword: string | undefined
  let stateTimers: NodeJS.Timeout[] = []
  let epoch = 0
  let stopping = false
  let statusUntil = 0
  const waiters = new Set<() => void>()

  // ── gateway: its OpenClaw config, its installed versions, the process ──
  const home = gatewayHome(gatewayRoot(options.dataDir))
  const install = options.gateway?.install ?? DEFAULT_INSTALL
  const versions = createGatewayVersions(gatewayRoot(options.dataDir), install)
  let gatewayVersion = await versions.current()
  async function writeGatewayConfig (settings = snapshot.config?.gateway?.settings ?? {}): Promise<void> {
    if (options.gateway === undefined) return
    await mkdir(dirname(home.configFile), { recursive: true, mode: 0o700 })
    await writeFileDurable(home.configFile, `${JSON.stringify(boxGatewayConfig(options.gateway.port, settings), null, 2)}\n`)
  }
  await writeGatewayConfig()
  const expand = (arg: string): string => arg.replaceAll(PACKAGE_PLACEHOLDER, versions.currentPackage)
  const gateway = options.gateway === undefined
    ? undefined
    : createGatewaySupervisor({
      command: expand(options.gateway.command),
      args: options.gateway.args.map(expand),
      env: { ...home.env, OPENCLAW_GATEWAY_PORT: String(options.gateway.port) },
      healthUrl: `http://127.0.0.1:${options.gateway.port}${options.gateway.healthPath}`,
      startTimeoutMs: install.healthTimeoutMs,
      log: log.child({ component: 'gateway' })
    })
  // Upgrades switch the `current` link the command runs; a command that names no version cannot be upgraded.
  const managed = options.gateway !== undefined && [options.gateway.command, ...options.gateway.args].some((arg) => arg.includes(PACKAGE_PLACEHOLDER))
  const upgrader: GatewayUpgrader | undefined = gateway === undefined || !managed
    ? undefined
    : createGatewayUpgrader({
      gateway,
      versions,
      healthTimeoutMs: install.healthTimeoutMs,
      log: log.child({ component: 'gateway-upgrade' }),
      onVersion: (version) => {
        gatewayVersion = version
        cloud?.publishState().catch((err: unknown) => { log.warn({ err }, 'reporting the gateway version failed') })
      }
    })

  // The cloud's desired version, followed while claimed (an unclaimed box downloads nothing).
  const follower = upgrader === undefined
    ? undefined
    : createVersionFollower({ upgrade: (version) => upgrader.upgrade(version), versions, retryMs: install.retryMs ?? DEFAULT_INSTALL_RETRY_MS, log: log.child({ component: 'gateway-version' }) })
  const desiredVersion = (): string | undefined => snapshot.config?.claim.claimed === true ? snapshot.config.gateway?.version : undefined

  // ── display ──
  let drawing: Promise<void> = Promise.resolve()
  const screenContext = (): ScreenContext => ({ deviceId, accessPoint, claimUrl, gatewayStatus: gateway?.status, deviceFlow: deviceFlow?.status })
  const draw = (status = false): Promise<void> => {
    drawing = drawing.then(() => drivers.display.show(status ? statusScreen(snapshot, screenContext()) : screenFor(snapshot, screenContext())))
      .catch((err: unknown) => { log.error({ err }, 'display update failed') })
    return drawing
  }
  const redraw = (): void => { if (Date.now() >= statusUntil) void draw() }

  // ── transitions ──
  let queue: Promise<void> = Promise.resolve()
  function dispatch (event: BoxEvent): Promise<void> {
    const run = queue.then(async () => {
      if (stopping) return
      const previous = snapshot
      const next = transition(previous, event, Date.now())
      await store.save(next)
      snapshot = next
      log.info({ event: event.type, from: previous.state, to: next.state, seq: next.seq }, 'state %s -> %s', previous.state, next.state)
      await converge(previous, event)
      for (const wake of waiters) wake()
    })
    queue = run.catch(() => undefined)
    return run
  }
  /** For events raised by timers and background work: a stale one is simply not allowed any more. */
  const raise = (event: BoxEvent, at = epoch): void => {
    if (at !== epoch) return
    dispatch(event).catch((err: unknown) => {
      if (err instanceof InvalidTransition) log.debug({ err: err.message }, 'event ignored')
      else log.error({ err }, 'transition failed')
    })
  }

  // ── cloud ──
  let cloud: CloudLink | undefined
  let tunnel: TunnelClient | undefined
  let deviceFlow: DeviceFlowClaimer | undefined
  const logApplyFailure = (err: unknown): void => { if (!(err instanceof InvalidTransition)) log.error({ err }, 'applying the desired config failed') }
  async function applyConfig (config: DesiredConfig): Promise<boolean> {
    if (snapshot.config !== undefined && config.version <= snapshot.config.version) return false
    const settings = config.gateway?.settings ?? {}
    const changed = JSON.stringify(settings) !== JSON.stringify(snapshot.config?.gateway?.settings ?? {})
    // Written first, so a gateway this config starts (the claim) starts with it, once; one that
    // was already running is restarted to read it.
    const gatewayActive = (): boolean => gateway !== undefined && gateway.status !== 'stopped'
    const wasActive = gatewayActive()
    if (changed) await writeGatewayConfig(settings)
    await dispatch({ type: 'config-received', config })
    if (changed && wasActive && gatewayActive()) await gateway?.restart()
    return true
  }
  if (creds !== undefined) {
    const tokens = createTokenSource({ deviceId: creds.deviceId, privateKey: importPrivateKeyPem(creds.privateKey), audience: creds.serverUrl })
    const sampler = createTelemetrySampler({ dataDir: options.dataDir })
    // Without a gateway there is nothing to reach, so no tunnel either.
    if (options.gateway !== undefined) {
      tunnel = createTunnelClient({ serverUrl: creds.serverUrl, tokens, gatewayPort: options.gateway.port, log: log.child({ component: 'tunnel' }) })
    }
    cloud = createCloudLink({
      deviceId: creds.deviceId,
      mqttUrl: creds.mqttUrl,
      tokens,
      log: log.child({ component: 'cloud' }),
      firmwareVersion: FIRMWARE_VERSION,
      gatewayVersion: () => gatewayVersion,
      telemetryIntervalMs: options.telemetryIntervalMs,
      sampleTelemetry: () => sampler.sample({ status: gateway?.status ?? 'stopped', restarts: gateway?.restarts ?? 0, ...(gatewayVersion === undefined ? {} : { version: gatewayVersion }) }),
      onConfig: (config) => { applyConfig(config).catch(logApplyFailure) },
      onCommand: createCommandHandler({
        gateway,
        system: drivers.system,
        log,
        applyConfig,
        upgradeGateway: upgrader === undefined ? undefined : (version) => upgrader.upgrade(version),
        factoryReset: () => dispatch({ type: 'factory-reset' })
      })
    })
    deviceFlow = createDeviceFlowClaimer({
      serverUrl: creds.serverUrl,
      tokens,
      log: log.child({ component: 'device-flow' }),
      retryMs: options.claimRetryMs,
      onChange: () => { redraw() },
      onClaimed: (config) => { applyConfig(config).catch(logApplyFailure) }
    })
  }

  // ── services and per-state work ──
  async function converge (previous: BoxSnapshot, event: BoxEvent): Promise<void> {
    const wanted = servicesFor(snapshot)
    if (!wanted.accessPoint && accessPoint !== undefined) {
      await dns?.close()
      dns = undefined
      await drivers.wifi.stopAccessPoint()
      accessPoint = undefined
    }
    if (wanted.accessPoint && accessPoint === undefined) {
      accessPoint = await drivers.wifi.startAccessPoint(apSsid, apPassword)
      dns = await startCaptiveDns({ address: accessPoint.address, host: accessPoint.address, port: options.dnsPort })
      log.info({ ssid: apSsid, address: accessPoint.address, dnsPort: dns.port }, 'setup network up')
    }
    if (wanted.cloud) cloud?.start()
    else await cloud?.stop()
    if (wanted.gateway) gateway?.start()
    else await gateway?.stop()
    if (wanted.tunnel) tunnel?.start()
    else await tunnel?.stop()
    if (wanted.deviceFlow) deviceFlow?.start()
    else deviceFlow?.stop()
    follower?.want(desiredVersion())
    // A boot re-enters the loaded state, so work cut short by a power cut (a reset) is resumed.
    if (previous.state !== snapshot.state || event.type === 'boot') enterState()
    redraw()
  }

  function every (ms: number, work: () => Promise<void>): void {
    const at = epoch
    const tick = (): void => {
      stateTimers.push(setTimeout(() => { if (at === epoch) void work().finally(tick) }, ms))
    }
    tick()
  }

  function enterState (): void {
    for (const timer of stateTimers) clearTimeout(timer)
    stateTimers = []
    const at = ++epoch
    const known = snapshot.wifi?.ssid
    switch (snapshot.state) {
      case 'joining-wifi': {
        const ssid = snapshot.joining!.ssid
        const password = pendingPassword
        pendingPassword = undefined
        const joining = password === undefined ? drivers.wifi.reconnect(ssid) : drivers.wifi.connect(ssid, password)
        joining.then(() => raise({ type: 'wifi-joined' }, at), (err: unknown) => {
          const reason = err instanceof WifiJoinError ? err.message : `Could not join "${ssid}": ${(err as Error).message}`
          log.warn({ ssid, reason }, 'joining Wi-Fi failed')
          raise({ type: 'wifi-failed', reason }, at)
        })
        break
      }
      case 'online-unclaimed':
      case 'claimed':
        if (known !== undefined) {
          every(options.wifiCheckIntervalMs, async () => { if (!(await drivers.wifi.isConnected(known))) raise({ type: 'wifi-lost' }, at) })
        }
        break
      case 'offline': {
        const fallbackIn = (snapshot.offlineSince ?? Date.now()) + options.offlineFallbackMs - Date.now()
        stateTimers.push(setTimeout(() => raise({ type: 'offline-timeout' }, at), Math.max(0, fallbackIn)))
        if (known !== undefined) {
          every(options.wifiCheckIntervalMs, async () => {
            await drivers.wifi.reconnect(known).then(() => raise({ type: 'wifi-restored' }, at), () => undefined)
          })
        }
        break
      }
      case 'factory-reset':
        void (async () => {
          if (known !== undefined) await drivers.wifi.forget(known)
          // The owner's gateway state (pairings, sessions, workspace) goes; installed versions stay.
          await rm(home.dir, { recursive: true, force: true })
          await writeGatewayConfig({})
          log.warn('factory reset done')
          raise({ type: 'reset-done' }, at)
        })()
        break
      default:
        break
    }
  }

  // ── user-facing surfaces ──
  const currentDeviceFlow = (): DeviceFlowView | null => deviceFlow?.status.kind === 'waiting' ? deviceFlow.status.code : null
  const networks = async (): Promise<WifiNetwork[]> => await drivers.wifi.scan()
  const setupView = (): SetupView => ({
    state: snapshot.state,
    lastError: snapshot.lastError,
    joining: snapshot.joining?.ssid,
    deviceId,
    claimUrl: snapshot.state === 'online-unclaimed' ? claimUrl : undefined,
    deviceFlow: currentDeviceFlow() ?? undefined,
    owner: snapshot.claim.owner,
    instanceUrl: snapshot.claim.instanceUrl,
    portalUrl: setupPortalUrl()
  })
  const setup = await createSetupServer({
    view: setupView,
    networks,
    async submitWifi (ssid, password) {
      if (snapshot.state !== 'setup' && snapshot.state !== 'offline') throw new SetupRefused(`the box is ${snapshot.state}, not in setup`)
      pendingPassword = password
      await dispatch({ type: 'wifi-submitted', ssid })
    }
  })
  await setup.listen({ host: options.setupHost, port: options.setupPort })
  const setupPort = (setup.server.address() as { port: number }).port
  function setupPortalUrl (): string {
    const host = accessPoint?.address ?? options.setupHost
    return `http://${host}${setupPort === 80 ? '' : `:${setupPort}`}/`
  }

  const press = (kind: ButtonPress): void => {
    log.info({ press: kind }, 'button pressed')
    if (kind === 'short') {
      statusUntil = Date.now() + options.statusScreenMs
      void draw(true)
      setTimeout(() => { statusUntil = 0; redraw() }, options.statusScreenMs).unref()
    } else if (kind === 'long') {
      const known = snapshot.wifi?.ssid
      void (async () => {
        if (known !== undefined) await drivers.wifi.forget(known)
        raise({ type: 'wifi-reset' })
      })()
    } else {
      raise({ type: 'factory-reset' })
    }
  }
  drivers.button.onPress(press)

  const box: Box = {
    get snapshot () { return snapshot },
    deviceId,
    get apiUrl () { return api.url },
    setupUrl: `http://${options.setupHost}:${setupPort}/`,
    get accessPoint () { return accessPoint },
    get dnsPort () { return dns?.port },
    drivers,
    gateway,
    cloud,
    tunnel,
    get deviceFlow () { return currentDeviceFlow() },
    dispatch,
    press,
    whenState (state, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (snapshot.state !== state) return
          waiters.delete(check)
          clearTimeout(timer)
          resolve(snapshot)
        }
        const timer = setTimeout(() => { waiters.delete(check); reject(new Error(`box did not reach ${state} within ${timeoutMs} ms (it is ${snapshot.state})`)) }, timeoutMs)
        waiters.add(check)
        check()
      })
    },
    async stop () {
      await queue
      stopping = true
      epoch++
      for (const timer of stateTimers) clearTimeout(timer)
      follower?.close()
      await tunnel?.stop()
      deviceFlow?.stop()
      await cloud?.stop()
      await gateway?.stop()
      await dns?.close()
      if (accessPoint !== undefined) await drivers.wifi.stopAccessPoint()
      await drivers.button.close()
      await setup.close()
      await api.close()
      await drawing
    }
  }
  if (creds === undefined) await dispatch({ type: 'credentials-missing', reason: credentials as string })
  else await dispatch({ type: 'boot' })
  // Only after the boot transition, so the API never reports the state of the previous life.
  const api: LocalApi = await startLocalApi(box, { host: options.apiHost, port: options.apiPort, simulate: options.simulate, claimUrl })
  return box
}
