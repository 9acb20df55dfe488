// Removes what a tenant test left on the local Docker engine: containers, network and state volume.
import { docker } from './docker.js'

export async function removeTenantContainers (tenantId: string): Promise<void> {
  const ids = await docker('ps', '-aq', '--filter', `label=openclaw.cloud/tenant=${tenantId}`)
  if (ids !== '') await docker('rm', '-f', ...ids.split('\n')).catch(() => undefined)
  await docker('network', 'rm', `openclaw-tenant-${tenantId}`).catch(() => undefined)
  await docker('volume', 'rm', `openclaw-tenant-${tenantId}-state`).catch(() => undefined)
}
