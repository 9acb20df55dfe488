// The box's own web server on the setup network: the setup page, a small JSON API for it, and the
// captive portal. Every OS probes a known URL after joining a network and shows a sign-in sheet
// when the answer is not the expected one; here each probe (and any request for a foreign host)
// is redirected to the setup page while the box is in setup.
import Fastify, { type FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import type { SetupStatus, WifiNetwork } from '../../protocol/box-setup.js'
import { loadSetupBundle } from './bundle.js'
import { renderSetupPage, SETUP_SCRIPT_PATH } from './page.js'

export interface SetupView extends SetupStatus {
  /** `http://<box address>/` on the setup network. */
  portalUrl: string
}

export interface SetupBackend {
  view: () => SetupView
  networks: () => Promise<WifiNetwork[]>
  /** Starts joining; rejects with SetupRefused when the box is not in setup. */
  submitWifi: (ssid: string, password: string) => Promise<void>
}

export class SetupRefused extends Error {
  override readonly name = 'SetupRefused'
}

/**
 * Probe URLs and what each OS expects when there is no portal: Android/ChromeOS (204), Apple
 * (a tiny "Success" page), Windows NCSI (fixed text), Firefox (`success`), and others seen in the
 * field. Anything else counts as "portal present".
 */
export const CAPTIVE_PROBES: Readonly<Record<string, { status: number, body: string, type?: string }>> = {
  '/generate_204': { status: 204, body: '' },
  '/gen_204': { status: 204, body: '' },
  '/hotspot-detect.html': { status: 200, body: '<HTML><HEAD><TITLE>Success</TITLE></HEAD><BODY>Success</BODY></HTML>', type: 'text/html' },
  '/library/test/success.html': { status: 200, body: '<HTML><HEAD><TITLE>Success</TITLE></HEAD><BODY>Success</BODY></HTML>', type: 'text/html' },
  '/connecttest.txt': { status: 200, body: 'Microsoft Connect Test', type: 'text/plain' },
  '/ncsi.txt': { status: 200, body: 'Microsoft NCSI', type: 'text/plain' },
  '/redirect': { status: 200, body: '', type: 'text/plain' },
  '/success.txt': { status: 200, body: 'success\n', type: 'text/plain' },
  '/canonical.html': { status: 200, body: '<meta http-equiv="refresh" content="0;url=https://support.mozilla.org/kb/captive-portal"/>', type: 'text/html' },
  '/check_network_status.txt': { status: 200, body: 'NetworkManager is online\n', type: 'text/plain' },
  '/connectivity-check.html': { status: 204, body: '' },
  '/kindle-wifi/wifistub.html': { status: 200, body: '<html><body>81ce4465-7167-4dcb-835b-dcc9e44c112a</body></html>', type: 'text/html' }
}

const WifiBody = Type.Object({
  ssid: Type.String({ minLength: 1, maxLength: 32, description: 'network name' }),
  // WPA2-PSK passphrases are 8..63 characters; empty means an open network.
  password: Type.String({ maxLength: 63, default: '' })
}, { additionalProperties: false })

export async function createSetupServer (backend: SetupBackend): Promise<FastifyInstance> {
  const app = Fastify({ logger: false }).withTypeProvider<TypeBoxTypeProvider>()
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)))
  })

  const portalHost = (): string => new URL(backend.view().portalUrl).host
  app.addHook('onRequest', async (request, reply) => {
    if (backend.view().state !== 'setup') return
    const probe = CAPTIVE_PROBES[request.url.split('?')[0]!] !== undefined
    if (probe || request.headers.host !== portalHost()) {
      // 302 to the portal on the box's own address: what makes phones open their sign-in sheet.
      return await reply.code(302).header('cache-control', 'no-store').redirect(backend.view().portalUrl)
    }
  })

  for (const [path, answer] of Object.entries(CAPTIVE_PROBES)) {
    app.get(path, async (_request, reply) => {
      if (answer.type !== undefined) reply.type(answer.type)
      return await reply.code(answer.status).send(answer.body)
    })
  }

  const script = await loadSetupBundle()
  const page = async (): Promise<string> => await renderSetupPage(backend.view(), backend.networks, script !== undefined)
  app.get('/', async (_request, reply) => await reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(await page()))
  if (script !== undefined) {
    app.get(SETUP_SCRIPT_PATH, async (_request, reply) => await reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(script))
  }

  app.get('/api/status', async () => {
    const { portalUrl: _portal, ...view } = backend.view()
    return view
  })
  app.get('/api/networks', async () => ({ networks: await backend.networks() }))

  const refused = (message: string): { statusCode: number, code: string, error: string, message: string } =>
    ({ statusCode: 409, code: 'BOX_NOT_IN_SETUP', error: 'Conflict', message })
  app.post('/api/wifi', { schema: { body: WifiBody } }, async (request, reply) => {
    try {
      await backend.submitWifi(request.body.ssid, request.body.password)
    } catch (err) {
      if (err instanceof SetupRefused) return await reply.code(409).send(refused(err.message))
      throw err
    }
    return await reply.code(202).send({ state: backend.view().state })
  })
  app.post('/connect', { schema: { body: WifiBody } }, async (request, reply) => {
    await backend.submitWifi(request.body.ssid, request.body.password).catch((err: unknown) => { if (!(err instanceof SetupRefused)) throw err })
    // 303: the browser follows with a GET, so a reload does not send the password again.
    return await reply.code(303).redirect('/')
  })
  return app
}
