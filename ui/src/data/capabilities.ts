// Which endpoints this server has, from its own API description (`/api/openapi.json`). Plugins can
// be off, and some are not built yet; asking first keeps the console from requesting what is not
// there (a 404 the browser would log as an error) and lets pages say "not available" instead.
import type { Http } from './http.js'

/**
 * Whether the server documents `method path` (path as in the API docs, e.g. `/api/devices/{id}`;
 * parameter names do not matter).
 */
export type Offers = (method: string, path: string) => Promise<boolean>

const routeKey = (method: string, path: string): string => `${method.toUpperCase()} ${path.replace(/\{[^}]*\}/g, '{}')}`

/** The endpoint is not on this server: a plugin that is off or not built yet. */
export class EndpointMissing extends Error {
  constructor (method: string, path: string) {
    super(`${method} ${path} is not available on this server`)
    this.name = 'EndpointMissing'
  }
}

export function createOffers (http: Http): Offers {
  let routes: Promise<Set<string>> | undefined
  const load = async (): Promise<Set<string>> => {
    const spec = await http.get<{ paths?: Record<string, Record<string, unknown>> }>('/api/openapi.json')
    const found = new Set<string>()
    for (const [path, methods] of Object.entries(spec.paths ?? {})) {
      for (const method of Object.keys(methods)) found.add(routeKey(method, path))
    }
    return found
  }
  return async (method, path) => {
    routes ??= load().catch((err: unknown) => { routes = undefined; throw err })
    return (await routes).has(routeKey(method, path))
  }
}
