// Clients of the authorization server are registered in code, by this plugin (the CLI) and by other
// plugins (the router, the box claim flow), on every start: nothing to migrate, the same on every node.
import type { ClientMetadata } from 'oidc-provider'
import type { AuthUser } from '../types.js'

export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code'
export type GrantType = 'authorization_code' | 'refresh_token' | typeof DEVICE_CODE_GRANT

export interface ClientRegistration {
  /** Unique, e.g. `openclaw-router`. */
  clientId: string
  /** Shown on the consent and device confirmation pages. */
  clientName: string
  /** Confidential clients authenticate at the token endpoint with it (HTTP Basic); without it the client is public (PKCE only). */
  clientSecret?: string
  /** Exact redirect URIs (RFC 6749 §3.1.2). Native clients may use loopback URIs, whose port is free (RFC 8252 §7.3). */
  redirectUris?: string[]
  /**
   * Admits a redirect URI that is not listed, for hosts that come and go (one per tenant). It must
   * compare the whole URI exactly against ones built from known state, never match a prefix.
   */
  redirectUriMatches?: (uri: string) => boolean
  grantTypes: GrantType[]
  /** `native` for CLIs and apps on the user's machine (loopback redirects); default `web`. */
  applicationType?: 'web' | 'native'
  /** First-party client acting for the signed-in user: the consent page is skipped. */
  trusted?: boolean
  /** Its access tokens may call this server's API, limited to the scopes granted (see README). */
  apiAccess?: boolean
  /**
   * Device code grant only: decides on an approval a signed-in user just gave one of this client's user
   * codes, before the device learns the outcome (a box claim happens here). A refusal turns the approval
   * into a denial (`access_denied`) and its reason is shown on the page.
   */
  approveDevice?: (approval: DeviceApproval) => Promise<DeviceApprovalDecision>
}

export interface DeviceApproval {
  user: AuthUser
  /** What the device authorization was started with (`deviceAuthorizations.start`). */
  deviceInfo: Record<string, unknown>
}

export type DeviceApprovalDecision = { approved: true } | { approved: false, reason: string }

export const CLI_CLIENT_ID = 'openclaw-cli'

/** The command-line client: public, authorization code + PKCE on a loopback redirect, or the device flow. */
export const cliClient: ClientRegistration = {
  clientId: CLI_CLIENT_ID,
  clientName: 'OpenClaw CLI',
  redirectUris: ['http://127.0.0.1/callback', 'http://[::1]/callback'],
  grantTypes: ['authorization_code', 'refresh_token', DEVICE_CODE_GRANT],
  applicationType: 'native',
  apiAccess: true
}

export function toClientMetadata (registration: ClientRegistration): ClientMetadata {
  const usesCode = registration.grantTypes.includes('authorization_code')
  return {
    client_id: registration.clientId,
    client_name: registration.clientName,
    ...(registration.clientSecret === undefined
      ? { token_endpoint_auth_method: 'none' }
      : { client_secret: registration.clientSecret, token_endpoint_auth_method: 'client_secret_basic' }),
    redirect_uris: usesCode ? registration.redirectUris ?? [] : [],
    grant_types: registration.grantTypes,
    response_types: usesCode ? ['code'] : [],
    application_type: registration.applicationType ?? 'web'
  }
}

export class ClientRegistry {
  readonly #clients = new Map<string, ClientRegistration>()

  add (registration: ClientRegistration): void {
    if (this.#clients.has(registration.clientId)) throw new Error(`OAuth client ${registration.clientId} is registered already`)
    this.#clients.set(registration.clientId, registration)
  }

  get (clientId: string): ClientRegistration | undefined {
    return this.#clients.get(clientId)
  }
}
