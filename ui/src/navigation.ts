// Client-side navigation: the app shell's router (@lit-labs/router) follows link clicks and
// popstate; code navigates through `navigate`, which it hears as a popstate.

export function navigate (url: string, options: { replace?: boolean } = {}): void {
  if (options.replace === true) history.replaceState({}, '', url)
  else history.pushState({}, '', url)
  window.dispatchEvent(new PopStateEvent('popstate'))
}

/** The current page's query parameters. */
export const queryParams = (): URLSearchParams => new URLSearchParams(location.search)

/** The current path and query, to come back to after signing in. */
export const here = (): string => `${location.pathname}${location.search}`

export const signInUrl = (returnTo: string = here()): string => `/sign-in?returnTo=${encodeURIComponent(returnTo)}`

/** A path inside the console ("/devices?x=1"), not a protocol-relative or absolute URL. */
export const isConsolePath = (value: string): boolean => value.startsWith('/') && !value.startsWith('//') && !value.includes('\\')

/**
 * Where to go after signing in: a console path in the app; an instance host (checked by the server,
 * which answers with its own origin when the target is not allowed) by a full page load.
 */
export function followReturnTo (answer: string, fallback: string): void {
  const target = new URL(answer, location.origin)
  if (target.origin !== location.origin) {
    const consoleHome = target.pathname === '/' && target.search === ''
    if (consoleHome) navigate(fallback, { replace: true })
    else location.assign(target.href)
    return
  }
  const path = `${target.pathname}${target.search}`
  // Server routes on the console's origin (the router's sign-on, the authorization server) need a real request.
  if (/^\/(api|oidc)\//.test(target.pathname)) {
    location.assign(target.href)
    return
  }
  navigate(path === '/' || path.startsWith('/sign-in') ? fallback : path, { replace: true })
}
