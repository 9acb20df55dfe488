// Sign in with a generic OpenID Connect provider end to end over HTTP, against a real OIDC server
// (`oidc-provider`) started as a separate issuer: discovery, code + PKCE + nonce, ID token, userinfo.
import t from 'tap'
import { forEachDialect } from '../helpers/app.js'
import { startOidcIssuer, type IssuerPerson } from '../helpers/oidc-issuer.js'
import { freePort } from '../helpers/process.js'
import { externalJourney, startExternalServer } from './external.js'

forEachDialect(t, 'OIDC: link, sign in, state, verified-email linking, unlink', async (t, dialect) => {
  // The issuer registers our redirect URI, so our port is chosen first.
  const port = await freePort()
  const client = { id: 'openclaw-cloud', secret: 'oidc-client-secret', redirectUri: `http://127.0.0.1:${port}/api/auth/corp/callback` }
  const issuer = await startOidcIssuer(t, client)
  const server = await startExternalServer(t, dialect, {
    port,
    oidcProviders: [{ id: 'corp', name: 'Corp SSO', issuer: issuer.issuer, clientId: client.id, clientSecret: client.secret }]
  })
  await externalJourney<IssuerPerson>(t, server, {
    provider: 'corp',
    givesEmail: true,
    standin: issuer,
    person: (sub, email, emailVerified) => ({ sub, email, emailVerified })
  })
  t.ok(issuer.authorizations.length > 0 && issuer.authorizations.every((query) => query.get('code_challenge_method') === 'S256' && query.has('state') && query.has('nonce')), 'every authorization request carried PKCE (S256), state and nonce')
})
