// The server plugins this build ships, in no particular order (the loader orders them).
import { devices } from '../plugins/devices/index.js'
import { oauthPlugin } from '../plugins/oauth/index.js'
import { routing } from '../plugins/routing/index.js'
import { scheduler } from '../plugins/scheduler/index.js'
import { tenants } from '../plugins/tenants/index.js'
import type { ServerPlugin } from './plugins.js'

export const installedPlugins: ServerPlugin[] = [devices, oauthPlugin, routing, scheduler, tenants]
