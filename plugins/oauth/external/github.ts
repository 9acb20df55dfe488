// Sign in with GitHub through passport-github2: authorization code with state and PKCE, then the
// profile (`/user`) and the addresses (`/user/emails`); only a primary address GitHub marks verified counts.
import { Strategy as GitHubStrategy, type Profile } from 'passport-github2'
import type { Config } from '../../../server/config.js'
import type { ExternalProvider } from './provider.js'
import { flowStateStore, keepProfile, passportProvider } from './strategy-runner.js'

interface GitHubEmail { value: string, primary?: boolean, verified?: boolean }

export function githubProvider (config: Config): ExternalProvider | undefined {
  const { githubClientId: clientID, githubClientSecret: clientSecret } = config
  if (clientID === undefined || clientSecret === undefined) return undefined
  const site = config.githubUrl.replace(/\/$/, '')
  const api = config.githubApiUrl.replace(/\/$/, '')
  return passportProvider({
    id: 'github',
    name: 'GitHub',
    strategy: (flow) => new GitHubStrategy({
      clientID,
      clientSecret,
      callbackURL: flow.callbackUrl,
      authorizationURL: `${site}/login/oauth/authorize`,
      tokenURL: `${site}/login/oauth/access_token`,
      userProfileURL: `${api}/user`,
      userEmailURL: `${api}/user/emails`,
      scope: ['read:user', 'user:email'],
      // Every address with its `primary` and `verified` flags, not just the primary one's value.
      allRawEmails: true,
      state: true,
      pkce: true,
      store: flowStateStore
    } as unknown as ConstructorParameters<typeof GitHubStrategy>[0], keepProfile),
    profile (user) {
      const profile = user as Profile
      const primary = ((profile.emails ?? []) as GitHubEmail[]).find((email) => email.primary === true)
      return { subject: String(profile.id), email: primary?.value, emailVerified: primary?.verified === true }
    }
  })
}
