// The reconciler's brain: desired state (from the database) + actual state (containers, networks and
// volumes found by label on the tenant's worker) -> the steps that converge them. Pure and
// synchronous; the executors in executors.ts do the work. Also derives the status users see.
import { containerName } from './container-spec.js'
import type { DesiredState, ObservedStatus } from './entities.js'

export interface DesiredTenant {
  id: string
  desired: DesiredState
  /** Hash of the container spec the tenant should run now (container-spec.ts). */
  specHash: string
  /** Epoch ms after which a deleted tenant's volume goes; null keeps it. */
  volumeRemoveAt: number | null
  /** A restart was asked for and not yet done. */
  restart?: boolean
}

export interface ActualContainer {
  id: string
  /** Value of the tenant label; every container seen carries one. */
  tenantId: string
  state: 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead'
  specHash: string
  /** The installation label (installation.ts); undefined on containers made before it existed. */
  installation?: string
  /** Epoch ms. */
  createdAt: number
  exitCode?: number
}

export interface ActualTenant {
  containers: ActualContainer[]
  network: boolean
  volume: boolean
}

export type Step =
  | { kind: 'createNetwork' }
  | { kind: 'createVolume' }
  | { kind: 'ensureImage' }
  | { kind: 'createContainer' }
  | { kind: 'writeConfig' }
  | { kind: 'startContainer', container: string }
  | { kind: 'stopContainer', container: string }
  | { kind: 'restartContainer', container: string }
  | { kind: 'removeContainer', container: string, why: string }
  | { kind: 'watchReady', container: string }
  | { kind: 'removeNetwork' }
  | { kind: 'removeVolume' }

const LIVE = new Set<ActualContainer['state']>(['running', 'restarting'])

/** The container to keep: current spec, running before stopped, newest first. Others are extras. */
function pickKeeper (desired: DesiredTenant, containers: ActualContainer[]): ActualContainer | undefined {
  return containers
    .filter((container) => container.specHash === desired.specHash && container.state !== 'removing' && container.state !== 'dead')
    .sort((a, b) => Number(LIVE.has(b.state)) - Number(LIVE.has(a.state)) || b.createdAt - a.createdAt)[0]
}

export function planTenant (desired: DesiredTenant, actual: ActualTenant, now: number): Step[] {
  const steps: Step[] = []
  if (desired.desired === 'deleted') {
    for (const container of actual.containers) steps.push({ kind: 'removeContainer', container: container.id, why: 'instance deleted' })
    if (actual.network) steps.push({ kind: 'removeNetwork' })
    if (actual.volume && desired.volumeRemoveAt !== null && desired.volumeRemoveAt <= now) steps.push({ kind: 'removeVolume' })
    return steps
  }

  const keeper = pickKeeper(desired, actual.containers)
  for (const container of actual.containers) {
    if (container === keeper || container.state === 'removing') continue
    steps.push({ kind: 'removeContainer', container: container.id, why: container.specHash === desired.specHash ? 'duplicate container' : 'container built from an older spec' })
  }
  if (desired.desired === 'stopped') {
    if (keeper !== undefined && LIVE.has(keeper.state)) steps.push({ kind: 'stopContainer', container: keeper.id })
    return steps
  }

  if (!actual.network) steps.push({ kind: 'createNetwork' })
  if (!actual.volume) steps.push({ kind: 'createVolume' })
  if (keeper === undefined) {
    const name = containerName(desired.id)
    steps.push({ kind: 'ensureImage' }, { kind: 'createContainer' }, { kind: 'writeConfig' }, { kind: 'startContainer', container: name })
    return steps
  }
  // Never started: a crash may have come between create and writing its config, so write it again.
  if (keeper.state === 'created') steps.push({ kind: 'writeConfig' }, { kind: 'startContainer', container: keeper.id })
  else if (!LIVE.has(keeper.state) && keeper.state !== 'paused') steps.push({ kind: 'startContainer', container: keeper.id })
  else if (desired.restart === true) steps.push({ kind: 'restartContainer', container: keeper.id })
  else steps.push({ kind: 'watchReady', container: keeper.id })
  return steps
}

/** Managed containers whose tenant is unknown, older than the grace period: removed. */
export function planOrphans (known: ReadonlySet<string>, containers: ActualContainer[], now: number, graceMs: number, installation?: string): Array<Extract<Step, { kind: 'removeContainer' }>> {
  return containers
    // Another control plane's containers are not ours to judge: its tenants are not in our database.
    .filter((container) => container.installation === undefined || installation === undefined || container.installation === installation)
    .filter((container) => !known.has(container.tenantId) && now - container.createdAt >= graceMs)
    .map((container) => ({ kind: 'removeContainer', container: container.id, why: `orphan: no instance ${container.tenantId}` }))
}

/** What users see, from what was observed: never a guess. `ready` means the gateway answered /readyz. */
export function observedStatus (desired: DesiredTenant, actual: ActualTenant, ready: boolean): { status: ObservedStatus, reason: string | null } {
  if (desired.desired === 'deleted') {
    return { status: actual.containers.length > 0 || actual.network ? 'deleting' : 'deleted', reason: null }
  }
  const keeper = pickKeeper(desired, actual.containers)
  if (keeper === undefined) return { status: desired.desired === 'stopped' ? 'stopped' : 'creating', reason: null }
  switch (keeper.state) {
    case 'running': return { status: ready ? 'running' : 'starting', reason: null }
    case 'restarting': return { status: 'starting', reason: 'the gateway exited and Docker is restarting it' }
    case 'created': return { status: desired.desired === 'stopped' ? 'stopped' : 'creating', reason: null }
    default:
      if (desired.desired === 'stopped') return { status: 'stopped', reason: null }
      return { status: 'failed', reason: `the gateway exited${keeper.exitCode === undefined ? '' : ` with code ${keeper.exitCode}`}` }
  }
}
