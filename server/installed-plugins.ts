// The server plugins this build ships, in no particular order (the loader orders them).
import type { ServerPlugin } from './plugins.js'

export const installedPlugins: ServerPlugin[] = []
