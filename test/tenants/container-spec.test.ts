import t from 'tap'
import { warmUpSpec } from '../../plugins/tenants/compile-cache.js'
import { compileCacheVolumeName, containerSpec, LABEL_SPEC, networkSpec, specHash, volumeSpec } from '../../plugins/tenants/container-spec.js'
import { resolvePlans } from '../../plugins/tenants/plans.js'

const plans = resolvePlans({ tenantImage: 'example/openclaw:1', tenantPlans: { free: { memory: 512 * 1024 ** 2 } } })
const tenant = { id: 'abc', slug: 'tenant-abcd' }

t.test('the container is hardened and limited by the plan', async (t) => {
  const spec = containerSpec(tenant, plans.free)
  t.equal(spec.name, 'openclaw-tenant-abc')
  t.equal(spec.Image, 'example/openclaw:1')
  t.equal(spec.User, '1000:1000')
  t.match(spec.Labels, { 'openclaw.cloud/tenant': 'abc', 'openclaw.cloud/managed': 'true' })
  t.match(spec.HostConfig, {
    CapDrop: ['ALL'],
    SecurityOpt: ['no-new-privileges:true'],
    Memory: 512 * 1024 ** 2,
    NanoCpus: 500_000_000,
    PidsLimit: 256,
    LogConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '3' } },
    RestartPolicy: { Name: 'unless-stopped' },
    Mounts: [
      { Type: 'volume', Source: 'openclaw-tenant-abc-state', Target: '/home/node/.openclaw' },
      { Type: 'volume', Source: compileCacheVolumeName('example/openclaw:1'), Target: '/var/cache/openclaw', ReadOnly: true }
    ],
    NetworkMode: 'openclaw-tenant-abc'
  })
  t.equal(spec.HostConfig?.Mounts?.length, 2, 'the state volume and the compile cache, nothing else')
  t.ok(spec.Env?.includes('NODE_COMPILE_CACHE=/var/cache/openclaw/node-compile-cache'), 'Node looks for cached code in the read-only cache')
  t.match(spec.Healthcheck?.Test?.join(' '), /\/readyz/)
})

t.test('the spec hash changes with the plan and only then', async (t) => {
  t.equal(specHash(containerSpec(tenant, plans.free)), specHash(containerSpec(tenant, plans.free)))
  t.not(specHash(containerSpec(tenant, plans.free)), specHash(containerSpec(tenant, plans.basic)))
  t.ok(containerSpec(tenant, plans.free).Labels?.[LABEL_SPEC])
})

t.test('the compile cache is one per image, written only by a hardened warm-up on no network', async (t) => {
  t.equal(compileCacheVolumeName('example/openclaw:1'), compileCacheVolumeName('example/openclaw:1'))
  t.not(compileCacheVolumeName('example/openclaw:1'), compileCacheVolumeName('example/openclaw:2'))
  t.match(compileCacheVolumeName('example/openclaw:1'), /^openclaw-compile-cache-[0-9a-f]{16}$/)
  const warmUp = warmUpSpec('example/openclaw:1', 'installation-1')
  t.equal(warmUp.User, '1000:1000')
  t.same(warmUp.Env, containerSpec(tenant, plans.free).Env, 'the environment a tenant gets, so it loads what a tenant loads')
  t.match(warmUp.HostConfig, {
    CapDrop: ['ALL'],
    SecurityOpt: ['no-new-privileges:true'],
    NetworkMode: 'none',
    Mounts: [{ Type: 'volume', Source: compileCacheVolumeName('example/openclaw:1'), Target: '/var/cache/openclaw' }]
  })
  t.notOk(warmUp.HostConfig?.Mounts?.[0]?.ReadOnly, 'the warm-up is the one writer')
  t.notOk(warmUp.Labels?.['openclaw.cloud/managed'], 'not a tenant container: orphan removal leaves it alone')
})

t.test('network and volume are per tenant and labelled', async (t) => {
  t.match(networkSpec(tenant), { Name: 'openclaw-tenant-abc', Driver: 'bridge', Labels: { 'openclaw.cloud/tenant': 'abc' } })
  t.match(volumeSpec(tenant), { Name: 'openclaw-tenant-abc-state', Labels: { 'openclaw.cloud/managed': 'true' } })
})
