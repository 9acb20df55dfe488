// A unix socket that forwards byte for byte to the real Docker socket: a second "worker" on this
// machine that a test can make unreachable. `hang()` makes it accept connections and never answer
// (a host that fell off the network), `resume()` makes it forward again.
import net from 'node:net'
import path from 'node:path'
import { tempDir, type TestContext } from './app.js'

export interface SocketProxy {
  /** `unix:///...` endpoint to register as a worker. */
  endpoint: string
  hang: () => void
  resume: () => void
}

export async function startSocketProxy (t: TestContext, target = '/var/run/docker.sock'): Promise<SocketProxy> {
  const socketPath = path.join(await tempDir(t, 'oc-docker-proxy-'), 'docker.sock')
  let hanging = false
  const open = new Set<net.Socket>()
  const server = net.createServer((client) => {
    open.add(client)
    client.on('close', () => open.delete(client))
    client.on('error', () => undefined)
    if (hanging) return
    const upstream = net.connect(target)
    upstream.on('error', () => client.destroy())
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
    client.pipe(upstream).pipe(client)
  })
  await new Promise<void>((resolve) => server.listen(socketPath, resolve))
  t.teardown(() => new Promise<void>((resolve) => {
    for (const socket of open) socket.destroy()
    server.close(() => resolve())
  }))
  return {
    endpoint: `unix://${socketPath}`,
    hang () {
      hanging = true
      // Connections in use (kept-alive clients, event streams) stop too.
      for (const socket of open) socket.destroy()
    },
    resume () { hanging = false }
  }
}
