// Settings of the oauth plugin (accounts, sign-in and mail), part of the server's one config schema.
import Type from 'typebox'
import { key } from '../../server/config-key.js'

const HttpUrl = (fallback: string): ReturnType<typeof Type.String> => Type.String({ pattern: '^https?://[^?#]+$', default: fallback })

/** A generic OpenID Connect provider (Keycloak, Authentik, Entra ID, …); `id` names its routes `/api/auth/<id>`. */
export const OidcProviderSchema = Type.Object({
  id: Type.String({ pattern: '^[a-z][a-z0-9]{1,31}$' }),
  name: Type.String({ minLength: 1, maxLength: 60 }),
  issuer: Type.String({ pattern: '^https?://[^?#]+$' }),
  clientId: Type.String({ minLength: 1 }),
  clientSecret: Type.String({ minLength: 1 })
}, { additionalProperties: false })

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
  }),
  githubClientId: key(Type.Optional(Type.String({ minLength: 1 })), {
    env: 'GITHUB_CLIENT_ID', description: 'Client id of a GitHub OAuth app; with `GITHUB_CLIENT_SECRET` it turns on "Sign in with GitHub". Callback URL: `<PUBLIC_URL>/api/auth/github/callback`.'
  }),
  githubClientSecret: key(Type.Optional(Type.String({ minLength: 1 })), {
    env: 'GITHUB_CLIENT_SECRET', secret: true, description: 'Client secret of the GitHub OAuth app.'
  }),
  githubUrl: key(HttpUrl('https://github.com'), {
    env: 'GITHUB_URL', allowed: 'an http(s) URL', description: 'Where GitHub’s sign-in pages are (`/login/oauth/authorize`, `/login/oauth/access_token`); set it for GitHub Enterprise Server.'
  }),
  githubApiUrl: key(HttpUrl('https://api.github.com'), {
    env: 'GITHUB_API_URL', allowed: 'an http(s) URL', description: 'GitHub’s REST API (`/user`, `/user/emails`); for GitHub Enterprise Server `https://<host>/api/v3`.'
  }),
  googleClientId: key(Type.Optional(Type.String({ minLength: 1 })), {
    env: 'GOOGLE_CLIENT_ID', description: 'OAuth client id from the Google Cloud console; with `GOOGLE_CLIENT_SECRET` it turns on "Sign in with Google". Redirect URI: `<PUBLIC_URL>/api/auth/google/callback`.'
  }),
  googleClientSecret: key(Type.Optional(Type.String({ minLength: 1 })), {
    env: 'GOOGLE_CLIENT_SECRET', secret: true, description: 'Client secret of the Google OAuth client.'
  }),
  googleAuthorizationUrl: key(HttpUrl('https://accounts.google.com/o/oauth2/v2/auth'), {
    env: 'GOOGLE_AUTHORIZATION_URL', allowed: 'an http(s) URL', description: 'Google’s authorization endpoint (only changed for tests or a proxy).'
  }),
  googleTokenUrl: key(HttpUrl('https://oauth2.googleapis.com/token'), {
    env: 'GOOGLE_TOKEN_URL', allowed: 'an http(s) URL', description: 'Google’s token endpoint.'
  }),
  googleUserinfoUrl: key(HttpUrl('https://openidconnect.googleapis.com/v1/userinfo'), {
    env: 'GOOGLE_USERINFO_URL', allowed: 'an http(s) URL', description: 'Google’s userinfo endpoint (subject, email, `email_verified`).'
  }),
  wechatAppId: key(Type.Optional(Type.String({ minLength: 1 })), {
    env: 'WECHAT_APP_ID', description: 'AppID of a WeChat Open Platform website application; with `WECHAT_APP_SECRET` it turns on QR-code sign-in with WeChat (`snsapi_login`).'
  }),
  wechatAppSecret: key(Type.Optional(Type.String({ minLength: 1 })), {
    env: 'WECHAT_APP_SECRET', secret: true, description: 'AppSecret of the WeChat website application.'
  }),
  wechatMpAppId: key(Type.Optional(Type.String({ minLength: 1 })), {
    env: 'WECHAT_MP_APP_ID', description: 'AppID of a WeChat official account; with `WECHAT_MP_APP_SECRET`, browsers inside WeChat sign in without a QR code (`snsapi_userinfo`). Bind both apps to one Open Platform account so a person has one `unionid`.'
  }),
  wechatMpAppSecret: key(Type.Optional(Type.String({ minLength: 1 })), {
    env: 'WECHAT_MP_APP_SECRET', secret: true, description: 'AppSecret of the WeChat official account.'
  }),
  wechatOpenUrl: key(HttpUrl('https://open.weixin.qq.com'), {
    env: 'WECHAT_OPEN_URL', allowed: 'an http(s) URL', description: 'WeChat’s authorization pages (`/connect/qrconnect`, `/connect/oauth2/authorize`); only changed for tests.'
  }),
  wechatApiUrl: key(HttpUrl('https://api.weixin.qq.com'), {
    env: 'WECHAT_API_URL', allowed: 'an http(s) URL', description: 'WeChat’s API (`/sns/oauth2/access_token`, `/sns/userinfo`); only changed for tests.'
  }),
  oidcProviders: key(Type.Array(OidcProviderSchema, { default: [] }), {
    env: 'OIDC_PROVIDERS', secret: true, allowed: 'a JSON list of {id, name, issuer, clientId, clientSecret}', description: 'Generic OpenID Connect providers, each signing in at `/api/auth/<id>` (redirect URI `<PUBLIC_URL>/api/auth/<id>/callback`); `id` is lowercase letters and digits. In the environment: the JSON list.'
  })
}
