// Turning external providers on and off by configuration, and keeping their secrets out of sight.
import t from 'tap'
import { loadConfig, redactConfig } from '../../server/config.js'
import { externalProviders } from '../../plugins/oauth/external/registry.js'
import { buildAuthApp } from '../helpers/auth.js'

const corp = { id: 'corp', name: 'Corp SSO', issuer: 'https://sso.example.com/realms/corp', clientId: 'cloud', clientSecret: 'very-secret-oidc-value' }

t.test('no provider without both client id and secret', async (t) => {
  const app = await buildAuthApp(t, { config: { githubClientId: 'only-the-id' } })
  t.same((await app.inject({ url: '/api/auth/providers' })).json(), { providers: [] }, 'the sign-in page offers only the local form')
  t.equal((await app.inject({ url: '/api/auth/github' })).statusCode, 404, 'no GitHub route')
})

t.test('each configured provider is listed, OIDC ones by their own id and name', async (t) => {
  const app = await buildAuthApp(t, { config: { googleClientId: 'g', googleClientSecret: 'gs', wechatMpAppId: 'wx', wechatMpAppSecret: 'wxs', oidcProviders: [corp] } })
  t.same((await app.inject({ url: '/api/auth/providers' })).json().providers.map((provider: { id: string }) => provider.id), ['google', 'wechat', 'corp'])
  const start = await app.inject({ url: '/api/auth/google?returnTo=/instances' })
  t.equal(start.statusCode, 302)
  const location = new URL(start.headers.location as string)
  t.equal(location.origin + location.pathname, 'https://accounts.google.com/o/oauth2/v2/auth', 'Google by default')
  t.equal(location.searchParams.get('code_challenge_method'), 'S256')
  t.match(start.cookies, [{ name: 'oc_external_flow', httpOnly: true, sameSite: 'Lax', path: '/api/auth/' }], 'the flow cookie is httpOnly, Lax and scoped')
  t.equal((await app.inject({ url: '/api/auth/google?link=1' })).json().code, 'UNAUTHENTICATED', 'linking needs a signed-in user')
  t.equal((await app.inject({ url: '/api/auth/google?link=yes' })).statusCode, 400, 'a bad parameter is named')
  t.equal((await app.inject({ url: '/api/auth/google/callback?code=x&state=y', headers: { accept: 'application/json' } })).json().code, 'INVALID_STATE', 'a callback without a started flow')
})

t.test('OIDC providers from the environment as JSON; secrets masked and never echoed', async (t) => {
  const config = await loadConfig({ env: { OIDC_PROVIDERS: JSON.stringify([corp]), GITHUB_CLIENT_SECRET: 'gh-secret-value' }, cwd: t.testdirName })
  t.same(config.oidcProviders, [corp])
  const shown = JSON.stringify(redactConfig(config))
  t.notMatch(shown, 'very-secret-oidc-value')
  t.notMatch(shown, 'gh-secret-value')
  t.match(shown, 'https://sso.example.com/realms/corp', 'the rest of an OIDC provider stays readable')
  const bad = loadConfig({ env: { OIDC_PROVIDERS: JSON.stringify([{ ...corp, id: 'Not An Id' }]) }, cwd: t.testdirName })
  await t.rejects(bad, /OIDC_PROVIDERS=\(secret value\).*a JSON list of \{id, name, issuer, clientId, clientSecret\}/s, 'an invalid list is named, its secret not printed')
})

t.test('an OIDC id cannot take a built-in provider\'s routes', async (t) => {
  const config = await loadConfig({ env: {}, cwd: t.testdirName, overrides: { githubClientId: 'a', githubClientSecret: 'b', oidcProviders: [{ ...corp, id: 'github' }] } })
  t.throws(() => externalProviders(config), /OIDC_PROVIDERS: id "github" is taken/)
  t.throws(() => externalProviders({ ...config, oidcProviders: [corp, corp] }), /id "corp" is taken/, 'nor one id twice')
})
