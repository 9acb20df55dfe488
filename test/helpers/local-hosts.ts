// Talking to `<slug>.localhost:<port>` instance hosts from a test: every name resolves to 127.0.0.1,
// so requests carry the real Host header and real cookies, as a browser on this machine sends them.
import http from 'node:http'
import net, { type LookupFunction } from 'node:net'
import { Readable } from 'node:stream'
import WebSocket from 'ws'

export const toLoopback: LookupFunction = (_hostname, options, callback) => {
  if ((options as { all?: boolean }).all === true) (callback as unknown as (err: null, addresses: Array<{ address: string, family: number }>) => void)(null, [{ address: '127.0.0.1', family: 4 }])
  else callback(null, '127.0.0.1', 4)
}

/** A free TCP port on 127.0.0.1, so PUBLIC_URL can name the port the app then listens on. */
export async function freePort (): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => { resolve(port) })
    })
  })
}

export interface Answer {
  status: number
  headers: http.IncomingHttpHeaders
  body: string
}

export interface RequestOptions {
  method?: string
  headers?: Record<string, string>
  body?: string | Readable
}

/** One HTTP request (no redirects followed), its whole answer as text. */
export async function request (url: string, options: RequestOptions = {}): Promise<Answer> {
  return await new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'GET', headers: options.headers, lookup: toLoopback, agent: false }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }) })
      res.on('error', reject)
    })
    req.on('error', reject)
    if (options.body instanceof Readable) options.body.pipe(req)
    else req.end(options.body)
  })
}

/** A cookie jar of `name=value` pairs, per host, from Set-Cookie answers. */
export function cookiesOf (answer: Answer): Record<string, string> {
  const jar: Record<string, string> = {}
  for (const line of answer.headers['set-cookie'] ?? []) {
    const [pair] = line.split(';')
    const eq = pair!.indexOf('=')
    jar[pair!.slice(0, eq).trim()] = pair!.slice(eq + 1).trim()
  }
  return jar
}

export function cookieHeader (jar: Record<string, string>): string {
  return Object.entries(jar).filter(([, value]) => value !== '').map(([name, value]) => `${name}=${value}`).join('; ')
}

interface Inbox { messages: string[], waiting: Array<(message: string | Error) => void>, closed?: Error }
const inboxes = new WeakMap<WebSocket, Inbox>()

/**
 * Opens a WebSocket; resolves once open, or rejects with the HTTP status of a refused upgrade.
 * Messages are queued from the start: a server that speaks first (a challenge in the same packet as
 * the 101) would otherwise lose its first message before the caller listens.
 */
export async function openWebSocket (url: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return await new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers, lookup: toLoopback })
    const inbox: Inbox = { messages: [], waiting: [] }
    inboxes.set(socket, inbox)
    socket.on('message', (data) => {
      const waiter = inbox.waiting.shift()
      if (waiter !== undefined) waiter(data.toString())
      else inbox.messages.push(data.toString())
    })
    socket.once('close', (code, reason) => {
      inbox.closed = new Error(`socket closed: ${code} ${reason.toString()}`)
      for (const waiter of inbox.waiting.splice(0)) waiter(inbox.closed)
    })
    socket.once('open', () => { resolve(socket) })
    socket.once('unexpected-response', (_req, res) => { reject(new Error(`upgrade refused: ${res.statusCode}`)) })
    socket.once('error', reject)
  })
}

/** The next message of a WebSocket opened by `openWebSocket`, parsed as JSON. */
export async function nextJson<T = unknown> (socket: WebSocket): Promise<T> {
  const inbox = inboxes.get(socket)
  if (inbox === undefined) throw new Error('open the socket with openWebSocket')
  const queued = inbox.messages.shift()
  if (queued !== undefined) return JSON.parse(queued) as T
  if (inbox.closed !== undefined) throw inbox.closed
  const message = await new Promise<string | Error>((resolve) => { inbox.waiting.push(resolve) })
  if (message instanceof Error) throw message
  return JSON.parse(message) as T
}
