// A local stand-in for Loki's push API (POST /loki/api/v1/push), enough to see what the server ships.
// Loki accepts JSON and snappy-compressed protobuf; pino-loki sends only JSON
// ({ streams: [{ stream: labels, values: [[nanoseconds, line]] }] }), so this reads JSON and answers a
// protobuf push with 415, naming why.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { gunzipSync } from 'node:zlib'
import type { TestContext } from './app.js'

export interface LokiPush {
  authorization?: string
  streams: Array<{ stream: Record<string, string>, values: Array<[string, string, Record<string, string>?]> }>
}

export interface LokiReceiver {
  /** Base URL to put in LOKI_URL. */
  url: string
  pushes: LokiPush[]
  /** Every shipped line with its stream's labels. */
  lines: () => Array<{ labels: Record<string, string>, line: string }>
}

export async function startLokiReceiver (t: TestContext): Promise<LokiReceiver> {
  const pushes: LokiPush[] = []
  const server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      if (request.method !== 'POST' || request.url !== '/loki/api/v1/push') {
        response.writeHead(404).end('404 page not found\n')
        return
      }
      if (!(request.headers['content-type'] ?? '').startsWith('application/json')) {
        response.writeHead(415).end(`this stand-in reads JSON pushes only, got ${request.headers['content-type'] ?? 'no content-type'}\n`)
        return
      }
      let body = Buffer.concat(chunks)
      if (request.headers['content-encoding'] === 'gzip') body = gunzipSync(body)
      try {
        pushes.push({ authorization: request.headers.authorization, streams: (JSON.parse(body.toString('utf8')) as Pick<LokiPush, 'streams'>).streams })
      } catch (err) {
        response.writeHead(400).end(`error parsing push: ${(err as Error).message}\n`)
        return
      }
      response.writeHead(204).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    pushes,
    lines: () => pushes.flatMap((push) => push.streams.flatMap((stream) => stream.values.map(([, line]) => ({ labels: stream.stream, line }))))
  }
}
