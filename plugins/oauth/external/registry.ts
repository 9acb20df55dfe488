// The external providers this server offers: each built-in one whose client id and secret are
// configured, then every configured OIDC provider.
import type { Config } from '../../../server/config.js'
import { StartupError } from '../../../server/startup-error.js'
import { githubProvider } from './github.js'
import { googleProvider } from './google.js'
import { oidcProvider } from './oidc.js'
import type { ExternalProvider } from './provider.js'
import { wechatProvider } from './wechat.js'

/** Ids an OIDC provider cannot take: the built-in providers and the other GET routes under /api/auth/. */
const TAKEN_IDS = new Set(['github', 'google', 'wechat', 'providers', 'csrf'])

export function externalProviders (config: Config): Map<string, ExternalProvider> {
  const providers = new Map<string, ExternalProvider>()
  for (const provider of [githubProvider(config), googleProvider(config), wechatProvider(config)]) {
    if (provider !== undefined) providers.set(provider.id, provider)
  }
  for (const settings of config.oidcProviders) {
    if (TAKEN_IDS.has(settings.id) || providers.has(settings.id)) {
      throw new StartupError(`OIDC_PROVIDERS: id "${settings.id}" is taken; choose another (not ${[...TAKEN_IDS].join(', ')}, and each id once)`)
    }
    providers.set(settings.id, oidcProvider(settings))
  }
  return providers
}
