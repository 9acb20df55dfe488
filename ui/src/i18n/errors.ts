// What a failed request means, in the user's language: known error codes get their own message,
// anything else shows the server's (English) message.
import { EndpointMissing } from '../data/capabilities.js'
import { ApiError, NetworkError } from '../data/http.js'
import { t } from './locale.js'
import type { MessageKey } from './messages/en.js'

const KNOWN: Record<string, MessageKey> = {
  UNAUTHENTICATED: 'error.unauthenticated',
  INVALID_CREDENTIALS: 'error.invalidCredentials',
  LOGIN_LOCKED: 'error.loginLocked',
  RATE_LIMITED: 'error.rateLimited',
  INVALID_TOKEN: 'error.invalidToken',
  SETUP_DONE: 'error.setupDone',
  WRONG_PASSWORD: 'error.wrongPassword',
  DELETION_NOT_CONFIRMED: 'error.deletionNotConfirmed',
  EMAIL_NOT_VERIFIED: 'error.emailNotVerified',
  MISSING_SCOPE: 'error.forbidden',
  CSRF_INVALID: 'error.csrf'
}

export function describeError (err: unknown): string {
  if (err instanceof NetworkError) return t('error.network')
  if (err instanceof EndpointMissing) return t('error.unavailable')
  if (err instanceof ApiError) {
    const known = KNOWN[err.code]
    if (known !== undefined) return t(known)
    // The server says why (weak password, quota, name taken); its words are the best we have.
    if (err.status >= 500) return t('error.server', { message: err.message })
    return err.message
  }
  return t('error.unexpected')
}

/** The endpoint is not on this server: a plugin that is off or not built yet. */
export const isUnavailable = (err: unknown): boolean => err instanceof EndpointMissing || (err instanceof ApiError && err.missingEndpoint)
