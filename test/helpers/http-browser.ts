// A browser as far as OAuth flows need one: real HTTP over fetch, a cookie jar that honours cookie
// paths and deletions, redirects followed by hand (so a test sees each hop), and form submission.

interface StoredCookie { name: string, value: string, path: string }

export interface Form { action: string, fields: Record<string, string> }

export class Browser {
  readonly #cookies = new Map<string, StoredCookie>()

  /** One request, no redirect following; cookies sent and stored like a browser does. */
  async request (url: string, init: { method?: string, form?: Record<string, string>, json?: unknown, headers?: Record<string, string> } = {}): Promise<Response> {
    const target = new URL(url)
    const headers: Record<string, string> = { accept: 'text/html', ...init.headers }
    const cookie = this.cookieHeader(target)
    if (cookie !== '') headers.cookie = cookie
    let body: string | undefined
    if (init.form !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded'
      body = new URLSearchParams(init.form).toString()
    } else if (init.json !== undefined) {
      headers['content-type'] = 'application/json'
      body = JSON.stringify(init.json)
    }
    const response = await fetch(target, { method: init.method ?? (body === undefined ? 'GET' : 'POST'), headers, body, redirect: 'manual' })
    for (const line of response.headers.getSetCookie()) this.store(line, target)
    return response
  }

  /**
   * Follows redirects from `url` until one leaves for a location `stop` accepts (returned as the final
   * URL, not requested: e.g. a client's redirect URI), or a page answers (returned as the response).
   */
  async follow (url: string, stop: (location: string) => boolean = () => false, init: Parameters<Browser['request']>[1] = {}): Promise<{ response?: Response, location?: string, hops: string[] }> {
    const hops: string[] = []
    let response = await this.request(url, init)
    for (let hop = 0; hop < 20; hop++) {
      const location = response.headers.get('location')
      if (response.status < 300 || response.status >= 400 || location === null) return { response, hops }
      const next = new URL(location, response.url === '' ? url : response.url).toString()
      await response.body?.cancel()
      hops.push(next)
      if (stop(next)) return { location: next, hops }
      response = await this.request(next)
    }
    throw new Error(`more than 20 redirects from ${url}`)
  }

  cookie (name: string): string | undefined {
    return [...this.#cookies.values()].find((cookie) => cookie.name === name)?.value
  }

  private cookieHeader (target: URL): string {
    return [...this.#cookies.values()]
      .filter((cookie) => target.pathname === cookie.path || target.pathname.startsWith(cookie.path.endsWith('/') ? cookie.path : `${cookie.path}/`))
      .map((cookie) => `${cookie.name}=${cookie.value}`).join('; ')
  }

  private store (line: string, target: URL): void {
    const [pair, ...attributes] = line.split(';').map((part) => part.trim())
    const separator = pair!.indexOf('=')
    const name = pair!.slice(0, separator)
    const value = pair!.slice(separator + 1)
    let path = '/'
    let expired = value === ''
    for (const attribute of attributes) {
      const [key, raw = ''] = attribute.split('=')
      const lower = key!.toLowerCase()
      if (lower === 'path') path = raw
      if (lower === 'max-age' && Number(raw) <= 0) expired = true
      if (lower === 'expires' && Date.parse(raw) <= Date.now()) expired = true
    }
    if (!path.startsWith('/')) path = target.pathname.replace(/\/[^/]*$/, '') || '/'
    const key = `${name};${path}`
    if (expired) this.#cookies.delete(key)
    else this.#cookies.set(key, { name, value, path })
  }
}

const decode = (value: string): string => value.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')

/** The first form of a page, with its hidden and prefilled fields, its action resolved against `base`. */
export function formIn (html: string, base: string): Form {
  const form = /<form\b[^>]*>([\s\S]*?)<\/form>/i.exec(html)
  if (form === null) throw new Error(`no form in page:\n${html.slice(0, 500)}`)
  const action = /action="([^"]*)"/i.exec(form[0])?.[1] ?? ''
  const fields: Record<string, string> = {}
  for (const input of form[1]!.matchAll(/<input\b[^>]*>/gi)) {
    const name = /name="([^"]*)"/i.exec(input[0])?.[1]
    const value = /value="([^"]*)"/i.exec(input[0])?.[1]
    if (name !== undefined && value !== undefined) fields[name] = decode(value)
  }
  return { action: new URL(decode(action), base).toString(), fields }
}
