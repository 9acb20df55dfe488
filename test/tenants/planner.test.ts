import t from 'tap'
import { observedStatus, planOrphans, planTenant, type ActualContainer, type DesiredTenant } from '../../plugins/tenants/planner.js'

const desired: DesiredTenant = { id: 't1', desired: 'running', specHash: 'h1', volumeRemoveAt: null }
const container = (extra: Partial<ActualContainer> = {}): ActualContainer => ({ id: 'c1', tenantId: 't1', state: 'running', specHash: 'h1', createdAt: 1000, ...extra })
const kinds = (steps: Array<{ kind: string }>): string[] => steps.map((step) => step.kind)

t.test('a new tenant gets network, volume, image, container, config, start', async (t) => {
  t.same(kinds(planTenant(desired, { containers: [], network: false, volume: false }, 0)),
    ['createNetwork', 'createVolume', 'ensureImage', 'createContainer', 'writeConfig', 'startContainer'])
})

t.test('a container removed behind our back is recreated; a stopped one started; a running one watched', async (t) => {
  t.same(kinds(planTenant(desired, { containers: [], network: true, volume: true }, 0)), ['ensureImage', 'createContainer', 'writeConfig', 'startContainer'])
  t.same(planTenant(desired, { containers: [container({ state: 'exited' })], network: true, volume: true }, 0), [{ kind: 'startContainer', container: 'c1' }])
  t.same(planTenant(desired, { containers: [container()], network: true, volume: true }, 0), [{ kind: 'watchReady', container: 'c1' }])
  t.same(planTenant({ ...desired, restart: true }, { containers: [container()], network: true, volume: true }, 0), [{ kind: 'restartContainer', container: 'c1' }])
})

t.test('a container created but never started (a crash mid-create) gets its config written, then starts', async (t) => {
  const steps = planTenant(desired, { containers: [container({ state: 'created' })], network: true, volume: true }, 0)
  t.same(steps, [{ kind: 'writeConfig' }, { kind: 'startContainer', container: 'c1' }])
})

t.test('duplicates and outdated containers go; the running current one stays', async (t) => {
  const steps = planTenant(desired, { containers: [container({ id: 'old', specHash: 'h0' }), container({ id: 'dup', state: 'exited', createdAt: 2000 }), container()], network: true, volume: true }, 0)
  t.same(steps, [
    { kind: 'removeContainer', container: 'old', why: 'container built from an older spec' },
    { kind: 'removeContainer', container: 'dup', why: 'duplicate container' },
    { kind: 'watchReady', container: 'c1' }
  ])
})

t.test('stopped and deleted', async (t) => {
  t.same(planTenant({ ...desired, desired: 'stopped' }, { containers: [container()], network: true, volume: true }, 0), [{ kind: 'stopContainer', container: 'c1' }])
  t.same(planTenant({ ...desired, desired: 'stopped' }, { containers: [container({ state: 'exited' })], network: true, volume: true }, 0), [])
  const gone = { ...desired, desired: 'deleted' as const, volumeRemoveAt: 5000 }
  t.same(kinds(planTenant(gone, { containers: [container()], network: true, volume: true }, 1000)), ['removeContainer', 'removeNetwork'], 'volume kept in grace')
  t.same(kinds(planTenant(gone, { containers: [], network: false, volume: true }, 6000)), ['removeVolume'], 'volume removed after grace')
  t.same(kinds(planTenant({ ...gone, volumeRemoveAt: null }, { containers: [], network: false, volume: true }, 6000)), [])
})

t.test('orphans are removed only after the grace period', async (t) => {
  const containers = [container({ id: 'a', tenantId: 'ghost', createdAt: 0 }), container({ id: 'b', tenantId: 'ghost', createdAt: 9000 }), container({ id: 'c' })]
  t.same(planOrphans(new Set(['t1']), containers, 10_000, 5000), [{ kind: 'removeContainer', container: 'a', why: 'orphan: no instance ghost' }])
})

t.test('observed status', async (t) => {
  const net = { network: true, volume: true }
  t.same(observedStatus(desired, { containers: [container()], ...net }, false), { status: 'starting', reason: null })
  t.same(observedStatus(desired, { containers: [container()], ...net }, true), { status: 'running', reason: null })
  t.same(observedStatus(desired, { containers: [container({ state: 'exited', exitCode: 78 })], ...net }, false), { status: 'failed', reason: 'the gateway exited with code 78' })
  t.same(observedStatus({ ...desired, desired: 'stopped' }, { containers: [container({ state: 'exited' })], ...net }, false), { status: 'stopped', reason: null })
  t.same(observedStatus({ ...desired, desired: 'deleted' }, { containers: [], network: false, volume: true }, false), { status: 'deleted', reason: null })
})
