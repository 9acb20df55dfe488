// The setup page, rendered on the server: plain HTML and a form, so it works in the smallest
// captive-portal browser (no scripts needed); while the box is busy it refreshes itself. A browser
// with scripts runs the Lit page (ui/box-setup) instead: <box-setup> draws over this markup, and
// the refresh sits in <noscript> so it does not reload that page.
import QRCode from 'qrcode'
import type { WifiNetwork } from '../drivers/types.js'
import type { SetupView } from './server.js'

const escapeHtml = (text: string): string => text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`)

const STYLE = `body{font-family:system-ui,sans-serif;max-width:28rem;margin:1.5rem auto;padding:0 1rem;color:#111}
h1{font-size:1.4rem}.error{background:#fde8e8;border:1px solid #e02424;padding:.6rem;border-radius:.4rem}
label{display:block;margin:.4rem 0}input[type=password]{width:100%;padding:.5rem;font-size:1rem}
button{padding:.6rem 1.2rem;font-size:1rem;margin-top:.6rem}.qr svg{width:16rem;height:16rem}
.muted{color:#555;font-size:.9rem}`

function bars (percent: number): string {
  return '▂▄▆█'.slice(0, Math.max(1, Math.ceil(percent / 25)))
}

/** Where the box serves the Lit page's script. */
export const SETUP_SCRIPT_PATH = '/box-setup.js'

function pageLayout (title: string, body: string, refreshSeconds: number | undefined, withScript: boolean): string {
  const refresh = refreshSeconds === undefined ? '' : `<noscript><meta http-equiv="refresh" content="${refreshSeconds}"></noscript>`
  const script = withScript ? `<script type="module" src="${SETUP_SCRIPT_PATH}"></script>` : ''
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">${refresh}<title>${escapeHtml(title)}</title><style>${STYLE}</style>${script}</head><body><box-setup><h1>${escapeHtml(title)}</h1>${body}</box-setup></body></html>`
}

function networkForm (networks: WifiNetwork[]): string {
  if (networks.length === 0) return '<p>No Wi-Fi networks found. <a href="/">Search again</a></p>'
  const options = networks.map((n, i) =>
    `<label><input type="radio" name="ssid" value="${escapeHtml(n.ssid)}"${i === 0 ? ' checked' : ''}> ${escapeHtml(n.ssid)} <span class="muted" title="${n.signalPercent}%">${bars(n.signalPercent)} ${n.signalPercent}% · ${escapeHtml(n.security)}</span></label>`)
  return `<form method="post" action="/connect"><fieldset><legend>Choose your Wi-Fi</legend>${options.join('')}</fieldset>
<label>Password <input type="password" name="password" autocomplete="current-password"></label>
<button type="submit">Connect</button></form><p class="muted"><a href="/">Search again</a></p>`
}

export async function renderSetupPage (view: SetupView, networks: () => Promise<WifiNetwork[]>, withScript = false): Promise<string> {
  const layout = (title: string, body: string, refreshSeconds?: number): string => pageLayout(title, body, refreshSeconds, withScript)
  const error = view.lastError === undefined ? '' : `<p class="error" role="alert">${escapeHtml(view.lastError)}</p>`
  switch (view.state) {
    case 'no-credentials':
      return layout('This box is not provisioned', `${error}<p>Its factory credential file is missing or invalid. Contact support.</p>`)
    case 'setup':
      return layout('Set up your OpenClaw Box', `${error}${networkForm(await networks())}`)
    case 'joining-wifi':
      return layout('Connecting…', `<p>Joining <strong>${escapeHtml(view.joining ?? '')}</strong>. This page updates by itself.</p><p class="muted">If your phone leaves the setup network, reconnect to it to see the result.</p>`, 2)
    case 'online-unclaimed': {
      const qr = view.claimUrl === undefined ? '' : `<div class="qr">${await QRCode.toString(view.claimUrl, { type: 'svg', margin: 2 })}</div>`
      return layout('Your box is online', `<p>Scan the code, sign in and enter the claim code printed on the box label.</p>${qr}
<p><a href="${escapeHtml(view.claimUrl ?? '')}">${escapeHtml(view.claimUrl ?? '')}</a></p><p>Box: <code>${escapeHtml(view.deviceId ?? '')}</code></p>`, 5)
    }
    case 'claimed':
      return layout('Your box is ready', `<p>It belongs to ${escapeHtml(view.owner ?? 'you')}.</p>${view.instanceUrl === undefined ? '' : `<p>Open OpenClaw at <a href="${escapeHtml(view.instanceUrl)}">${escapeHtml(view.instanceUrl)}</a></p>`}`)
    case 'offline':
      return layout('Box offline', `${error}<p>Trying to reach the Wi-Fi network again…</p>`, 5)
    case 'factory-reset':
      return layout('Factory reset', '<p>Erasing settings…</p>', 2)
  }
}
