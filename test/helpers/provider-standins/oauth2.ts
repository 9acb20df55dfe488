// The part every OAuth 2.0 provider stand-in shares: a person "signed in at the provider" who approves
// at once, single-use authorization codes bound to client, redirect URI and PKCE challenge, and the
// checks a real token endpoint makes (RFC 6749 §4.1, RFC 7636 §4.6). Each provider's file adds its own
// paths and answer shapes on top.
import { createHash, randomBytes } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { TestContext } from '../app.js'

export interface StandinClient { id: string, secret: string }

/** What the stand-in's token endpoint saw: tests assert PKCE and state really travelled. */
export interface AuthorizeRecord { clientId: string, redirectUri: string, state?: string, scope?: string, codeChallenge?: string, codeChallengeMethod?: string }

interface IssuedCode<P> extends AuthorizeRecord { person: P }

export interface TokenCheck { clientId?: string, clientSecret?: string, code?: string, redirectUri?: string, codeVerifier?: string }

export type Route = (req: http.IncomingMessage, url: URL, body: URLSearchParams, res: http.ServerResponse) => void | Promise<void>

export interface OAuth2Standin<P> {
  url: string
  /** Who is signed in at the provider and approves the next authorization. */
  signInAs: (person: P) => void
  authorizations: AuthorizeRecord[]
  /** Code exchanges refused, with the reason. */
  refusals: string[]
}

export function json (res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
}

export function bearerOf (req: http.IncomingMessage, url: URL): string | undefined {
  const header = /^(?:Bearer|token)\s+(\S+)$/i.exec(req.headers.authorization ?? '')
  return header?.[1] ?? url.searchParams.get('access_token') ?? undefined
}

/** Client credentials from HTTP Basic (RFC 6749 §2.3.1) or the form body. */
export function clientOf (req: http.IncomingMessage, body: URLSearchParams): { id?: string, secret?: string } {
  const basic = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '')
  if (basic?.[1] !== undefined) {
    const [id, secret] = Buffer.from(basic[1], 'base64').toString('utf8').split(':').map((part) => decodeURIComponent(part))
    return { id, secret }
  }
  return { id: body.get('client_id') ?? undefined, secret: body.get('client_secret') ?? undefined }
}

export function createOAuth2Core<P> (client: StandinClient) {
  let person: P | undefined
  const codes = new Map<string, IssuedCode<P>>()
  const tokens = new Map<string, P>()
  const authorizations: AuthorizeRecord[] = []
  const refusals: string[] = []

  return {
    authorizations,
    refusals,
    signInAs (next: P) { person = next },
    /** The authorize step: the signed-in person approves; the browser goes back with code and state. */
    authorize (record: AuthorizeRecord, res: http.ServerResponse, extraQuery: Record<string, string> = {}): void {
      if (record.clientId !== client.id) { json(res, 400, { error: 'invalid_client', error_description: `unknown client ${record.clientId}` }); return }
      if (person === undefined) throw new Error('stand-in: nobody is signed in at the provider (call signInAs)')
      authorizations.push(record)
      const code = randomBytes(16).toString('hex')
      codes.set(code, { ...record, person })
      const back = new URL(record.redirectUri)
      back.searchParams.set('code', code)
      if (record.state !== undefined) back.searchParams.set('state', record.state)
      for (const [name, value] of Object.entries(extraQuery)) back.searchParams.set(name, value)
      res.writeHead(302, { location: back.toString() }).end()
    },
    /** The token step; answers the person behind the code and a new access token, or the refusal's reason. */
    exchange (check: TokenCheck): { person: P, accessToken: string } | { error: string } {
      const refuse = (error: string): { error: string } => { refusals.push(error); return { error } }
      if (check.clientId !== client.id || check.clientSecret !== client.secret) return refuse('invalid_client')
      const issued = check.code === undefined ? undefined : codes.get(check.code)
      if (issued === undefined) return refuse('invalid_grant: unknown or used code')
      codes.delete(check.code!)
      if (check.redirectUri !== undefined && check.redirectUri !== issued.redirectUri) return refuse('invalid_grant: redirect_uri differs')
      if (issued.codeChallenge !== undefined) {
        const computed = check.codeVerifier === undefined ? undefined : createHash('sha256').update(check.codeVerifier).digest('base64url')
        if (computed !== issued.codeChallenge) return refuse('invalid_grant: PKCE verification failed')
      }
      const accessToken = randomBytes(16).toString('hex')
      tokens.set(accessToken, issued.person)
      return { person: issued.person, accessToken }
    },
    personOf (accessToken: string | undefined): P | undefined {
      return accessToken === undefined ? undefined : tokens.get(accessToken)
    }
  }
}

/** An HTTP server for the stand-in's routes (`METHOD /path`), closed when the test ends. */
export async function serveStandin (t: TestContext, routes: Record<string, Route>): Promise<string> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://standin')
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const route = routes[`${req.method ?? 'GET'} ${url.pathname}`]
      if (route === undefined) { json(res, 404, { message: 'Not Found' }); return }
      Promise.resolve(route(req, url, new URLSearchParams(Buffer.concat(chunks).toString('utf8')), res))
        .catch((err: Error) => { if (!res.headersSent) json(res, 500, { message: err.message }) })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => { resolve() }) }))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

export function authorizeRecord (url: URL, clientParam = 'client_id'): AuthorizeRecord {
  const query = url.searchParams
  return {
    clientId: query.get(clientParam) ?? '',
    redirectUri: query.get('redirect_uri') ?? '',
    state: query.get('state') ?? undefined,
    scope: query.get('scope') ?? undefined,
    codeChallenge: query.get('code_challenge') ?? undefined,
    codeChallengeMethod: query.get('code_challenge_method') ?? undefined
  }
}
