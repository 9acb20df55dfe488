// Stand-in for GitHub's OAuth app endpoints and REST API as its docs publish them:
// `GET /login/oauth/authorize`, `POST /login/oauth/access_token` (JSON answer with
// `Accept: application/json`, errors as 200 + `{error}` like GitHub), `GET /user`, `GET /user/emails`.
import type { TestContext } from '../app.js'
import { authorizeRecord, bearerOf, clientOf, createOAuth2Core, json, serveStandin, type OAuth2Standin, type StandinClient } from './oauth2.js'

export interface GitHubPerson {
  id: number
  login: string
  name?: string
  emails: Array<{ email: string, primary: boolean, verified: boolean }>
}

export async function startGitHubStandin (t: TestContext, client: StandinClient): Promise<OAuth2Standin<GitHubPerson>> {
  const core = createOAuth2Core<GitHubPerson>(client)
  const url = await serveStandin(t, {
    'GET /login/oauth/authorize': (_req, url, _body, res) => { core.authorize(authorizeRecord(url), res) },
    'POST /login/oauth/access_token': (req, _url, body, res) => {
      const credentials = clientOf(req, body)
      const result = core.exchange({ clientId: credentials.id, clientSecret: credentials.secret, code: body.get('code') ?? undefined, redirectUri: body.get('redirect_uri') ?? undefined, codeVerifier: body.get('code_verifier') ?? undefined })
      if ('error' in result) json(res, 200, { error: result.error.split(':')[0], error_description: result.error })
      else json(res, 200, { access_token: result.accessToken, token_type: 'bearer', scope: 'read:user,user:email' })
    },
    'GET /user': (req, url, _body, res) => {
      const person = core.personOf(bearerOf(req, url))
      if (person === undefined) { json(res, 401, { message: 'Bad credentials' }); return }
      json(res, 200, { id: person.id, login: person.login, name: person.name ?? null, email: null, html_url: `https://github.com/${person.login}` })
    },
    'GET /user/emails': (req, url, _body, res) => {
      const person = core.personOf(bearerOf(req, url))
      if (person === undefined) { json(res, 401, { message: 'Bad credentials' }); return }
      json(res, 200, person.emails.map((email) => ({ ...email, visibility: email.primary ? 'private' : null })))
    }
  })
  return { url, signInAs: core.signInAs, authorizations: core.authorizations, refusals: core.refusals }
}
