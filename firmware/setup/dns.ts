// The captive DNS of the setup network: every A query is answered with the box's address, so
// whatever a phone looks up (its OS's captive-portal probe first) reaches the setup page. AAAA
// and other types get an empty answer (NOERROR, no records), which makes clients fall back to IPv4.
import { createServer, Packet } from 'dns2'

export interface CaptiveDns {
  port: number
  close: () => Promise<void>
}

/** A short TTL, so names resolve normally again soon after the phone leaves the setup network. */
const TTL_SECONDS = 10

export async function startCaptiveDns (options: { address: string, host: string, port: number }): Promise<CaptiveDns> {
  const server = createServer({
    // UDP only: these answers are a few dozen bytes, far below the 512 that would need TCP.
    udp: true,
    handle: (request, send) => {
      const response = Packet.createResponseFromRequest(request)
      for (const question of request.questions) {
        if (question.type === Packet.TYPE.A) {
          response.answers.push(Packet.createResourceFromQuestion(question, { ttl: TTL_SECONDS, address: options.address }))
        }
      }
      void send(response)
    }
  })
  server.on('requestError', () => undefined)
  const addresses = await server.listen({ udp: { port: options.port, address: options.host } })
  return { port: addresses.udp?.port ?? options.port, close: () => server.close() }
}
