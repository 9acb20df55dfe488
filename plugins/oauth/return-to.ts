// Where a browser may be sent after signing in: our own origin or an instance host
// (`<slug>.<APPS_DOMAIN>`), never elsewhere, so sign-in cannot be used as an open redirect.
import type { Config } from '../../server/config.js'

const SLUG = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/

/** The absolute URL to go to, or the console's origin when `returnTo` is missing or not ours. */
export function safeReturnTo (config: Pick<Config, 'publicUrl' | 'appsDomain'>, returnTo: string | undefined): string {
  const home = `${config.publicUrl}/`
  if (returnTo === undefined || returnTo === '') return home
  // Browsers read backslashes as slashes ("/\\evil.com" is protocol-relative) and drop control characters.
  if ([...returnTo].some((char) => char === '\\' || char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f)) return home
  let target: URL
  try {
    target = new URL(returnTo, home)
  } catch {
    return home
  }
  const console = new URL(home)
  if (target.username !== '' || target.password !== '') return home
  if (target.origin === console.origin) return target.toString()
  const suffix = `.${config.appsDomain}`
  const slug = target.hostname.endsWith(suffix) ? target.hostname.slice(0, -suffix.length) : ''
  const samePort = target.port === console.port
  return target.protocol === console.protocol && samePort && SLUG.test(slug) ? target.toString() : home
}
