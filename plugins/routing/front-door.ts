// Instance hosts are recognised on the raw HTTP server, before Fastify does any work: the server's
// 'request' and 'upgrade' listeners (Fastify's, the MQTT-over-WebSocket endpoint's) are moved behind
// one dispatcher, which hands instance hosts to the router and everything else to them unchanged.
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'

export interface HostDispatch {
  /** True when the request belongs to the router (an instance host). */
  claims: (request: IncomingMessage) => boolean
  http: (request: IncomingMessage, response: ServerResponse) => void
  upgrade: (request: IncomingMessage, socket: Duplex, head: Buffer) => void
}

type Listener = (...args: unknown[]) => void

function takeOver (server: Server, event: 'request' | 'upgrade', claims: HostDispatch['claims'], ours: Listener): void {
  const others = server.listeners(event) as Listener[]
  server.removeAllListeners(event)
  server.on(event, function dispatch (this: Server, ...args: unknown[]) {
    if (claims(args[0] as IncomingMessage)) { ours(...args); return }
    for (const listener of others) listener.apply(this, args)
  })
}

/**
 * Installs the dispatcher once the server listens: by then every plugin's onReady has attached its
 * listeners, so all of them end up behind it.
 */
export function installFrontDoor (server: Server, dispatch: HostDispatch): void {
  server.once('listening', () => {
    takeOver(server, 'request', dispatch.claims, dispatch.http as Listener)
    takeOver(server, 'upgrade', dispatch.claims, dispatch.upgrade as Listener)
  })
}
