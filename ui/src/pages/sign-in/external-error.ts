// Why an external sign-in or link did not complete: the server's callback sends the browser back to
// the sign-in (or account) page with `?error=<code>&provider=<name>` (plugins/oauth/routes/external.ts).
import { t } from '../../i18n/locale.js'
import type { MessageKey } from '../../i18n/messages/en.js'

const MESSAGES: Record<string, MessageKey> = {
  INVALID_STATE: 'external.invalidState',
  EXTERNAL_SIGN_IN_DENIED: 'external.denied',
  EXTERNAL_SIGN_IN_FAILED: 'external.failed',
  EMAIL_TAKEN: 'external.emailTaken',
  IDENTITY_LINKED_ELSEWHERE: 'external.linkedElsewhere',
  UNAUTHENTICATED: 'external.signedOut'
}

/** The message for the page's `error` query parameter; empty when there is none. */
export function externalError (params: URLSearchParams): string {
  const code = params.get('error')
  if (code === null) return ''
  return t(MESSAGES[code] ?? 'external.failed', { provider: params.get('provider') ?? '' })
}
