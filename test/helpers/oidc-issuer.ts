// A real OpenID Connect provider (the `oidc-provider` package) running as a separate issuer on its own
// port, for the generic OIDC sign-in tests. Its login and consent steps approve at once as whoever
// `signInAs` named, the way a person already signed in at their company's IdP would pass through.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import Provider from 'oidc-provider'
import type { TestContext } from './app.js'

export interface IssuerPerson { sub: string, email?: string, emailVerified: boolean }

export interface OidcIssuer {
  issuer: string
  signInAs: (person: IssuerPerson) => void
  /** Authorization requests as they arrived (tests check PKCE, state and nonce travelled). */
  authorizations: URLSearchParams[]
  /** Errors the issuer answered with (e.g. a wrong code_verifier). */
  refusals: string[]
}

export async function startOidcIssuer (t: TestContext, client: { id: string, secret: string, redirectUri: string }): Promise<OidcIssuer> {
  const persons = new Map<string, IssuerPerson>()
  let current: IssuerPerson | undefined
  const authorizations: URLSearchParams[] = []
  const refusals: string[] = []
  const server = http.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  const provider = new Provider(issuer, {
    clients: [{ client_id: client.id, client_secret: client.secret, redirect_uris: [client.redirectUri], grant_types: ['authorization_code'], response_types: ['code'] }],
    pkce: { required: () => true },
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    cookies: { keys: ['oidc-issuer-test-cookie-key'] },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    // Explicit lifetimes (the defaults print a notice each); long enough for any slow test machine.
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
    async findAccount (_ctx, sub) {
      const person = persons.get(sub)
      if (person === undefined) return undefined
      return { accountId: sub, claims: async () => ({ sub, ...(person.email === undefined ? {} : { email: person.email, email_verified: person.emailVerified }) }) }
    }
  })
  provider.on('authorization.error', (_ctx, err: Error) => { refusals.push(err.message) })
  provider.on('grant.error', (_ctx, err: Error) => { refusals.push(err.message) })
  const callback = provider.callback()

  async function interact (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const details = await provider.interactionDetails(req, res)
    if (details.prompt.name === 'login') {
      if (current === undefined) throw new Error('oidc issuer: nobody to sign in (call signInAs)')
      await provider.interactionFinished(req, res, { login: { accountId: current.sub } }, { mergeWithLastSubmission: false })
      return
    }
    const grant = new provider.Grant({ accountId: details.session!.accountId, clientId: String(details.params.client_id) })
    grant.addOIDCScope(String(details.params.scope))
    await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true })
  }

  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', issuer)
    if (url.pathname.startsWith('/interaction/')) {
      interact(req, res).catch((err: Error) => { res.writeHead(500).end(err.message) })
      return
    }
    if (url.pathname === '/auth') authorizations.push(url.searchParams)
    void callback(req, res)
  })
  t.teardown(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => { resolve() }) }))

  return {
    issuer,
    signInAs (person) { persons.set(person.sub, person); current = person },
    authorizations,
    refusals
  }
}
