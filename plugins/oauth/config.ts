// Settings of the oauth plugin (accounts, sign-in and mail), part of the server's one config schema.
import Type from 'typebox'
import { key } from '../../server/config-key.js'

export const oauthConfig = {
  smtpUrl: key(Type.Optional(Type.String({ pattern: '^smtps?://.+' })), {
    env: 'SMTP_URL', secret: true, allowed: 'an smtp:// or smtps:// URL', description: 'Mail server for account mail (verification, password reset), e.g. `smtps://user:pass@mail.example.com:465`. Without it, links are written to the server log.'
  }),
  mailFrom: key(Type.String({ minLength: 3, default: 'OpenClaw Cloud <no-reply@localhost>' }), {
    env: 'MAIL_FROM', description: 'Sender address of account mail.'
  }),
  requireEmailVerification: key(Type.Optional(Type.Boolean()), {
    env: 'REQUIRE_EMAIL_VERIFICATION', allowed: 'true or false', description: 'Unverified accounts can sign in but not use routes that need a verified email. Default: on when `SMTP_URL` is set, off otherwise.'
  }),
  adminEmails: key(Type.Optional(Type.Array(Type.String({ format: 'email' }), { uniqueItems: true })), {
    env: 'ADMIN_EMAILS', allowed: 'email addresses, comma-separated in the environment', description: 'Accounts with these emails get the admin role once their email is verified (or on registration when verification is off).'
  }),
  authRateLimit: key(Type.Integer({ minimum: 1, maximum: 100_000, default: 20 }), {
    env: 'AUTH_RATE_LIMIT', description: 'Requests one client address may make to each sign-in, registration, password-reset and token endpoint per `AUTH_RATE_WINDOW`.'
  }),
  authRateWindow: key(Type.Integer({ minimum: 100, maximum: 86_400_000, default: 60_000 }), {
    env: 'AUTH_RATE_WINDOW', description: 'Window of `AUTH_RATE_LIMIT`, in milliseconds.'
  }),
  loginLockoutThreshold: key(Type.Integer({ minimum: 1, maximum: 1000, default: 5 }), {
    env: 'LOGIN_LOCKOUT_THRESHOLD', description: 'Failed sign-ins in a row after which an account is locked for a while.'
  }),
  loginLockoutWindow: key(Type.Integer({ minimum: 10, maximum: 86_400_000, default: 60_000 }), {
    env: 'LOGIN_LOCKOUT_WINDOW', description: 'First lockout, in milliseconds; it doubles with each further failure, up to 64 times this.'
  }),
  passwordHashCost: key(Type.Integer({ minimum: 10, maximum: 20, default: 15 }), {
    env: 'PASSWORD_HASH_COST', description: 'scrypt cost of password hashes as log2(N). Raising it upgrades each stored hash at its next sign-in.'
  }),
  deviceCodeTtl: key(Type.Integer({ minimum: 1, maximum: 86_400, default: 600 }), {
    env: 'DEVICE_CODE_TTL', description: 'Seconds a device code of the authorization server (device authorization grant, RFC 8628) stays valid for approval.'
  })
}
