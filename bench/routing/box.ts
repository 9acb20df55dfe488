// The bench's box, in a process of its own: the firmware's tunnel client serving the upstream as
// the box's gateway. Prints `dialling` once started. Reads `{serverUrl, deviceId, privateKeyPem, gatewayPort}` as JSON on stdin.
//   tsx bench/routing/box.ts < box.json
import { text } from 'node:stream/consumers'
import pino from 'pino'
import { createTokenSource } from '../../firmware/cloud/token.js'
import { createTunnelClient } from '../../firmware/tunnel/client.js'
import { importPrivateKeyPem } from '../../protocol/device-keys.js'

const { serverUrl, deviceId, privateKeyPem, gatewayPort } = JSON.parse(await text(process.stdin)) as { serverUrl: string, deviceId: string, privateKeyPem: string, gatewayPort: number }
const tunnel = createTunnelClient({
  serverUrl,
  tokens: createTokenSource({ deviceId, privateKey: importPrivateKeyPem(privateKeyPem), audience: serverUrl }),
  gatewayPort,
  log: pino({ level: 'silent' })
})
tunnel.start()
console.log('dialling')
process.once('SIGTERM', () => { tunnel.stop().then(() => process.exit(0), () => process.exit(1)) })
