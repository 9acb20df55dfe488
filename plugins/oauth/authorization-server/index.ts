// The OAuth 2.0 / OpenID Connect authorization server (oidc-provider), backed by our accounts, console
// sessions and database. Other plugins register their clients and start device flows through
// `app.authorizationServer` (see ../README.md).
import type { FastifyBaseLogger, FastifyPluginAsync } from 'fastify'
import type Provider from 'oidc-provider'
import type { Config } from '../../../server/config.js'
import type { OAuthServices } from '../services.js'
import { ClientRegistry, cliClient, toClientMetadata, type ClientRegistration } from './clients.js'
import { createDeviceAuthorizations, type DeviceAuthorizations } from './device-authorizations.js'
import { interactionRoutes } from './interactions.js'
import { loadAuthorizationServerKeys } from './keys.js'
import { mountProvider } from './mount.js'
import { createProvider } from './provider.js'

export interface AuthorizationServer {
  /** Equals PUBLIC_URL; discovery at `<issuer>/.well-known/openid-configuration`. */
  issuer: string
  /** Adds a client; throws on a duplicate id or invalid metadata (e.g. a redirect URI with a fragment). */
  registerClient: (registration: ClientRegistration) => Promise<void>
  /** Server-started device authorizations (box claiming) and their outcome. */
  deviceAuthorizations: DeviceAuthorizations
}

export interface BuiltAuthorizationServer {
  api: AuthorizationServer
  provider: Provider
  routes: FastifyPluginAsync
}

export async function createAuthorizationServer ({ config, services, log }: { config: Config, services: OAuthServices, log: FastifyBaseLogger }): Promise<BuiltAuthorizationServer> {
  const keys = await loadAuthorizationServerKeys(config.dataDir, services.keys)
  const clients = new ClientRegistry()
  const provider = createProvider({ config, services, clients, keys, log })

  async function registerClient (registration: ClientRegistration): Promise<void> {
    try {
      await provider.Client.validate(toClientMetadata(registration))
    } catch (err) {
      const description = (err as { error_description?: string }).error_description ?? (err as Error).message
      throw new Error(`OAuth client ${registration.clientId} is invalid: ${description}`, { cause: err })
    }
    clients.add(registration)
  }
  await registerClient(cliClient)

  return {
    api: { issuer: config.publicUrl, registerClient, deviceAuthorizations: createDeviceAuthorizations(provider, config.publicUrl) },
    provider,
    routes: async (app) => {
      await app.register(interactionRoutes({ provider, clients, services, config }))
      await app.register(mountProvider(provider, config))
    }
  }
}
