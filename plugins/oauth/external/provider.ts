// What every external sign-in provider offers the routes: a URL to send the browser to, and, back at
// the callback, the person it vouches for. `state` is made and checked by the routes (flow-cookie.ts).

/** The person a provider signed in, in its own terms. */
export interface ExternalProfile {
  /** The provider's stable id of the person (never the email, which can change hands). */
  subject: string
  email?: string
  /** True only when the provider asserts the address belongs to this person. */
  emailVerified: boolean
}

export interface StartedFlow {
  url: string
  /** PKCE (RFC 7636) secret to keep until the callback. */
  codeVerifier?: string
  nonce?: string
  /** Which of its apps the provider chose (WeChat: QR code or in-WeChat), kept for the callback. */
  variant?: string
}

export interface FlowContext {
  callbackUrl: string
  state: string
  userAgent?: string
}

export interface CallbackContext extends FlowContext {
  /** The callback's query parameters as the provider sent them. */
  query: Record<string, string>
  /** The full callback URL with its query (OIDC checks `iss` and `state` on it). */
  currentUrl: URL
  codeVerifier?: string
  nonce?: string
  variant?: string
}

export interface ExternalProvider {
  id: string
  /** Shown on the sign-in button. */
  name: string
  start: (flow: FlowContext) => Promise<StartedFlow>
  finish: (callback: CallbackContext) => Promise<ExternalProfile>
}
