// Which requests are for an instance: Host `<slug>.<APPS_DOMAIN>` (port ignored), one DNS label.
import type { Config } from '../../server/config.js'

const SLUG = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/

export type SlugOfHost = (host: string | undefined) => string | null

/** A fast matcher from a Host header to an instance slug, or null for the console/API. */
export function slugMatcher (config: Pick<Config, 'appsDomain'>): SlugOfHost {
  const suffix = `.${config.appsDomain}`
  return (host) => {
    if (host === undefined) return null
    const colon = host.lastIndexOf(':')
    // "[::1]:3000" and bare IPv6 never end with our suffix; only strip a port after the last label.
    const name = (colon > host.lastIndexOf(']') && colon !== -1 ? host.slice(0, colon) : host).toLowerCase()
    if (!name.endsWith(suffix)) return null
    const slug = name.slice(0, -suffix.length)
    return SLUG.test(slug) ? slug : null
  }
}
