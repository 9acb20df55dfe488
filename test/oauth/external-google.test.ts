// Sign in with Google end to end over HTTP, against a stand-in speaking Google's published endpoints
// (authorize, token, userinfo with `email_verified`).
import t from 'tap'
import { forEachDialect } from '../helpers/app.js'
import { startGoogleStandin, type GooglePerson } from '../helpers/provider-standins/google.js'
import { externalJourney, startExternalServer } from './external.js'

const client = { id: 'google-client.apps.googleusercontent.com', secret: 'google-client-secret' }

forEachDialect(t, 'Google: link, sign in, state, verified-email linking, unlink', async (t, dialect) => {
  const google = await startGoogleStandin(t, client)
  const server = await startExternalServer(t, dialect, {
    googleClientId: client.id,
    googleClientSecret: client.secret,
    googleAuthorizationUrl: google.authorizationUrl,
    googleTokenUrl: google.tokenUrl,
    googleUserinfoUrl: google.userinfoUrl
  })
  await externalJourney<GooglePerson>(t, server, {
    provider: 'google',
    givesEmail: true,
    standin: google,
    person: (sub, email, emailVerified) => ({ sub, email: email!, emailVerified })
  })
  t.match(google.authorizations, Array(google.authorizations.length).fill({ codeChallengeMethod: 'S256', scope: 'openid email profile', redirectUri: `${server.origin}/api/auth/google/callback` }), 'every flow sent PKCE (S256) and the registered redirect URI')
})
