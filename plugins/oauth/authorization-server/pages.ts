// The few server-rendered pages of the authorization server: sign-in, consent, the device code entry
// and confirmation, and errors. Plain HTML with escaped values and no script; the console links here.
import type { Scope } from '../rbac.js'

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

export function escapeHtml (value: unknown): string {
  return String(value).replace(/[&<>"']/g, (char) => ESCAPES[char]!)
}

const STYLE = 'body{font-family:system-ui,sans-serif;background:#f4f5f7;margin:0;padding:40px 16px;color:#1d2330}' +
  'main{max-width:380px;margin:0 auto;background:#fff;border-radius:8px;box-shadow:0 1px 4px rgba(0,0,0,.15);padding:24px 28px}' +
  'h1{font-size:1.4em;margin:0 0 16px}label{display:block;margin:12px 0 4px;font-weight:600}' +
  'input[type=email],input[type=password],input[type=text]{width:100%;box-sizing:border-box;padding:9px;font-size:1em;border:1px solid #c4c8d0;border-radius:4px}' +
  'input[name=user_code]{text-transform:uppercase;letter-spacing:.2em;text-align:center;font-size:1.3em}' +
  'button{margin-top:16px;width:100%;padding:10px;font-size:1em;border:0;border-radius:4px;background:#2563eb;color:#fff;cursor:pointer}' +
  'button.secondary{background:#e5e7eb;color:#1d2330}.error{color:#b91c1c}dl{display:grid;grid-template-columns:auto 1fr;gap:4px 12px}dt{font-weight:600}dd{margin:0;word-break:break-all}' +
  'code{font-size:1.6em;letter-spacing:.15em}'

export function page (title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · OpenClaw Cloud</title><style>${STYLE}</style></head>
<body><main><h1>${escapeHtml(title)}</h1>
${body}
</main></body></html>`
}

/**
 * The pages carry no script and post only to us, or, for the redirect that ends a sign-in, to the
 * client's redirect URI (browsers apply `form-action` to the redirects that follow a form post).
 */
export function pageCsp (formTargets: string[] = []): string {
  return ["default-src 'none'", "style-src 'unsafe-inline'", `form-action 'self' ${formTargets.join(' ')}`.trim(), "frame-ancestors 'none'", "base-uri 'none'"].join('; ')
}

const SCOPE_TEXT: Record<string, string> = {
  openid: 'Know who you are',
  email: 'See your email address',
  offline_access: 'Stay signed in until you revoke it',
  'tenants:read': 'See your instances',
  'tenants:write': 'Create, change and delete your instances',
  'devices:read': 'See your boxes',
  'devices:claim': 'Claim boxes for your account',
  'factory:register': 'Register factory batches',
  admin: 'Administer this server'
} satisfies Record<Scope | 'openid' | 'email' | 'offline_access', string>

function errorLine (message: string | undefined): string {
  return message === undefined ? '' : `<p class="error" role="alert">${escapeHtml(message)}</p>`
}

export function signInPage ({ action, clientName, email, error }: { action: string, clientName: string, email?: string, error?: string }): string {
  return page('Sign in', `<p>Sign in to continue to <strong>${escapeHtml(clientName)}</strong>.</p>
${errorLine(error)}
<form method="post" action="${escapeHtml(action)}">
<label for="email">Email</label><input id="email" type="email" name="email" autocomplete="username" required value="${escapeHtml(email ?? '')}">
<label for="password">Password</label><input id="password" type="password" name="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>`)
}

export function consentPage ({ action, clientName, scopes, email }: { action: string, clientName: string, scopes: string[], email: string }): string {
  const items = scopes.map((scope) => `<li>${escapeHtml(SCOPE_TEXT[scope] ?? scope)}</li>`).join('')
  return page('Allow access?', `<p><strong>${escapeHtml(clientName)}</strong> asks to act for <strong>${escapeHtml(email)}</strong>:</p>
<ul>${items}</ul>
<form method="post" action="${escapeHtml(action)}">
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny" class="secondary">Deny</button>
</form>`)
}

const DEVICE_CODE_ERRORS: Record<string, string> = {
  NoCodeError: 'Enter the code shown on your device.',
  NotFoundError: 'That code is not valid; check it and try again.',
  ExpiredError: 'That code has expired; start again on your device.',
  AlreadyUsedError: 'That code has been used already.',
  AbortedError: 'The request was denied; the device has not been connected.'
}

/** `form` is oidc-provider's form (with its anti-forgery field); the button submits it. */
export function deviceCodeInputPage ({ form, errorName }: { form: string, errorName?: string }): string {
  const error = errorName === undefined ? undefined : DEVICE_CODE_ERRORS[errorName] ?? 'Something went wrong; try again.'
  return page('Connect a device', `<p>Enter the code your device shows.</p>
${errorLine(error)}
${form}
<button type="submit" form="op.deviceInputForm">Continue</button>`)
}

export interface DeviceDescription { clientName: string, userCode: string, deviceInfo: Record<string, unknown>, signedInAs?: string }

const DEVICE_FIELDS: Array<[string, string]> = [['boxId', 'Box'], ['name', 'Name'], ['model', 'Model'], ['requestedAt', 'Asked at'], ['ip', 'Requested from'], ['ua', 'Software']]

export function deviceConfirmPage ({ form, clientName, userCode, deviceInfo, signedInAs }: DeviceDescription & { form: string }): string {
  const rows = DEVICE_FIELDS
    .filter(([field]) => typeof deviceInfo[field] === 'string' && deviceInfo[field] !== '')
    .map(([field, label]) => `<dt>${label}</dt><dd>${escapeHtml(deviceInfo[field])}</dd>`).join('')
  const who = signedInAs === undefined ? 'You will sign in next.' : `It will act for <strong>${escapeHtml(signedInAs)}</strong>.`
  return page('Connect this device?', `<p><strong>${escapeHtml(clientName)}</strong> asks to connect to your account. ${who}</p>
<dl>${rows}<dt>Code</dt><dd><code>${escapeHtml(userCode)}</code></dd></dl>
<p>Approve only if your device shows this same code.</p>
${form}
<button type="submit" form="op.deviceConfirmForm">Approve</button>
<button type="submit" form="op.deviceConfirmForm" name="abort" value="yes" class="secondary">Deny</button>`)
}

export function deviceSuccessPage ({ clientName }: { clientName: string }): string {
  return page('Device connected', `<p><strong>${escapeHtml(clientName)}</strong> is now connected to your account. You can close this page.</p>`)
}

/** The client refused the approval (e.g. the box belongs to someone else): nothing was connected. */
export function deviceRefusedPage ({ clientName, message }: { clientName: string, message: string }): string {
  return page('Device not connected', `${errorLine(message)}<p><strong>${escapeHtml(clientName)}</strong> has not been connected to your account.</p>`)
}

export function errorPage ({ error, description }: { error: string, description?: string }): string {
  return page('Sign-in failed', `${errorLine(description ?? error)}<p>Code: <code style="font-size:1em">${escapeHtml(error)}</code></p>`)
}
