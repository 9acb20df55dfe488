// Stand-in for Google's OAuth 2.0 / OpenID Connect endpoints as published in its discovery document:
// `GET /o/oauth2/v2/auth` (accounts.google.com), `POST /token` (oauth2.googleapis.com) and
// `GET /v1/userinfo` (openidconnect.googleapis.com), with Google's claim names (`sub`, `email_verified`).
import type { TestContext } from '../app.js'
import { authorizeRecord, bearerOf, clientOf, createOAuth2Core, json, serveStandin, type OAuth2Standin, type StandinClient } from './oauth2.js'

export interface GooglePerson { sub: string, email: string, emailVerified: boolean, name?: string }

export interface GoogleStandin extends OAuth2Standin<GooglePerson> {
  authorizationUrl: string
  tokenUrl: string
  userinfoUrl: string
}

export async function startGoogleStandin (t: TestContext, client: StandinClient): Promise<GoogleStandin> {
  const core = createOAuth2Core<GooglePerson>(client)
  const url = await serveStandin(t, {
    'GET /o/oauth2/v2/auth': (_req, url, _body, res) => {
      if (url.searchParams.get('response_type') !== 'code') { json(res, 400, { error: 'unsupported_response_type' }); return }
      core.authorize(authorizeRecord(url), res)
    },
    'POST /token': (req, _url, body, res) => {
      if (body.get('grant_type') !== 'authorization_code') { json(res, 400, { error: 'unsupported_grant_type' }); return }
      const credentials = clientOf(req, body)
      const result = core.exchange({ clientId: credentials.id, clientSecret: credentials.secret, code: body.get('code') ?? undefined, redirectUri: body.get('redirect_uri') ?? undefined, codeVerifier: body.get('code_verifier') ?? undefined })
      if ('error' in result) json(res, 400, { error: result.error.split(':')[0], error_description: result.error })
      else json(res, 200, { access_token: result.accessToken, expires_in: 3599, token_type: 'Bearer', scope: 'openid email profile' })
    },
    'GET /v1/userinfo': (req, url, _body, res) => {
      const person = core.personOf(bearerOf(req, url))
      if (person === undefined) { json(res, 401, { error: 'invalid_request', error_description: 'Invalid Credentials' }); return }
      json(res, 200, { sub: person.sub, name: person.name ?? person.email, email: person.email, email_verified: person.emailVerified })
    }
  })
  return {
    url,
    authorizationUrl: `${url}/o/oauth2/v2/auth`,
    tokenUrl: `${url}/token`,
    userinfoUrl: `${url}/v1/userinfo`,
    signInAs: core.signInAs,
    authorizations: core.authorizations,
    refusals: core.refusals
  }
}
