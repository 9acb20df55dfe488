// Error codes of the oauth plugin; every one reaches clients through the core's uniform error body.
import createError from '@fastify/error'

export const Unauthenticated = createError('UNAUTHENTICATED', 'Sign in first: this route needs a signed-in user or a valid access token', 401)
export const MissingScope = createError('MISSING_SCOPE', 'Missing scope %s for this route', 403)
export const EmailNotVerified = createError('EMAIL_NOT_VERIFIED', 'Verify your email address first; POST /api/auth/verify-email/resend sends a new link', 403)
export const CsrfInvalid = createError('CSRF_INVALID', 'Missing or wrong x-csrf-token header; get one from GET /api/auth/csrf', 403)
// One answer for unknown email and wrong password, so it never tells whether an account exists.
export const InvalidCredentials = createError('INVALID_CREDENTIALS', 'Email or password is wrong', 401)
export const LoginLocked = createError('LOGIN_LOCKED', 'Too many failed sign-ins for this account; try again in %d seconds', 429)
export const RateLimited = createError('RATE_LIMITED', 'Too many requests; try again in %d seconds', 429)
export const WeakPassword = createError('WEAK_PASSWORD', 'Password is too weak: %s', 400)
export const WrongPassword = createError('WRONG_PASSWORD', 'Current password is wrong', 403)
export const DeletionNotConfirmed = createError('DELETION_NOT_CONFIRMED', 'To delete this account, type its email address in confirmEmail', 400)
export const InvalidToken = createError('INVALID_TOKEN', 'This link or token is invalid, expired or already used', 400)
export const InvalidGrant = createError('INVALID_GRANT', 'Refresh token or credentials are invalid, expired or already used', 400)
export const InvalidScope = createError('INVALID_SCOPE', 'You cannot grant scope %s', 400)
export const InvalidRole = createError('INVALID_ROLE', 'Unknown role %s', 400)
export const SetupDone = createError('SETUP_DONE', 'An admin exists already; setup is closed', 409)
export const NotFound = createError('NOT_FOUND', '%s', 404)
export const UnknownProvider = createError('UNKNOWN_PROVIDER', 'Sign-in provider %s is not enabled on this server', 404)
export const InvalidState = createError('INVALID_STATE', 'This sign-in answer does not belong to a sign-in started in this browser (state missing, expired or altered); start again', 400)
export const ExternalSignInDenied = createError('EXTERNAL_SIGN_IN_DENIED', '%s did not sign you in: %s', 400)
export const ExternalSignInFailed = createError('EXTERNAL_SIGN_IN_FAILED', 'Signing in with %s failed: %s', 502)
// Linking by email only when both sides proved the address: otherwise whoever registered it first, or
// whoever typed it at the provider, could take the other's account.
export const EmailTaken = createError('EMAIL_TAKEN', 'An account with %s exists already; sign in to it and link %s from your account page', 409)
export const IdentityLinkedElsewhere = createError('IDENTITY_LINKED_ELSEWHERE', 'This %s account is already linked to another account', 409)
export const LastSignInMethod = createError('LAST_SIGN_IN_METHOD', 'This is your only way to sign in; set a password or link another provider first', 409)
