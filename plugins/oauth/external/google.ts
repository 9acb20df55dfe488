// Sign in with Google through passport-google-oauth20: authorization code with state and PKCE, then
// the userinfo endpoint, whose `email_verified` decides whether the address counts as proven.
import { Strategy as GoogleStrategy, type Profile } from 'passport-google-oauth20'
import type { Config } from '../../../server/config.js'
import type { ExternalProvider } from './provider.js'
import { flowStateStore, keepProfile, passportProvider } from './strategy-runner.js'

export function googleProvider (config: Config): ExternalProvider | undefined {
  const { googleClientId: clientID, googleClientSecret: clientSecret } = config
  if (clientID === undefined || clientSecret === undefined) return undefined
  return passportProvider({
    id: 'google',
    name: 'Google',
    strategy: (flow) => new GoogleStrategy({
      clientID,
      clientSecret,
      callbackURL: flow.callbackUrl,
      authorizationURL: config.googleAuthorizationUrl,
      tokenURL: config.googleTokenUrl,
      userProfileURL: config.googleUserinfoUrl,
      scope: ['openid', 'email', 'profile'],
      state: true,
      pkce: true,
      store: flowStateStore
    } as unknown as ConstructorParameters<typeof GoogleStrategy>[0], keepProfile),
    profile (user) {
      const profile = user as Profile
      const claims = profile._json as { sub?: string, email?: string, email_verified?: boolean | string }
      // Google has sent `email_verified` both as a boolean and as the string "true".
      return { subject: claims.sub ?? profile.id, email: claims.email, emailVerified: claims.email_verified === true || claims.email_verified === 'true' }
    }
  })
}
