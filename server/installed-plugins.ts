// The server plugins this build ships, in no particular order (the loader orders them).
import { devices } from '../plugins/devices/index.js'
import { metrics } from '../plugins/metrics/index.js'
import { oauthPlugin } from '../plugins/oauth/index.js'
import { portainer } from '../plugins/portainer/index.js'
import { routing } from '../plugins/routing/index.js'
import { scheduler } from '../plugins/scheduler/index.js'
import { tenants } from '../plugins/tenants/index.js'
import type { ServerPlugin } from './plugins.js'

export const installedPlugins: ServerPlugin[] = [devices, metrics, oauthPlugin, portainer, routing, scheduler, tenants]
