// The owner's half of a device authorization (RFC 8628) as a browser does it: sign into the console,
// open the box's verification_uri_complete, read the confirmation page, approve or deny.
import { Browser, formIn } from './http-browser.js'

/** A browser signed into the console through POST /api/auth/login. */
export async function signedInBrowser (origin: string, who: { email: string, password: string }): Promise<Browser> {
  const browser = new Browser()
  const login = await browser.request(`${origin}/api/auth/login`, { json: { email: who.email, password: who.password } })
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${await login.text()}`)
  return browser
}

export interface DeviceConfirmation { browser: Browser, page: string, url: string }

/** Opens a verification_uri_complete: oidc-provider's page posts the code itself; answers the confirmation page. */
export async function openDeviceLink (browser: Browser, link: string): Promise<DeviceConfirmation> {
  const entry = await browser.request(link)
  const autoSubmit = formIn(await entry.text(), link)
  const confirm = await browser.request(autoSubmit.action, { form: autoSubmit.fields })
  if (confirm.status !== 200) throw new Error(`confirmation page answered ${confirm.status}`)
  return { browser, page: await confirm.text(), url: autoSubmit.action }
}

/** Presses Approve or Deny on the confirmation page; answers the text of the page that ends it. */
export async function decide ({ browser, page, url }: DeviceConfirmation, decision: 'approve' | 'deny'): Promise<string> {
  const form = formIn(page, url)
  if (decision === 'deny') return await (await browser.request(form.action, { form: { ...form.fields, abort: 'yes' } })).text()
  const done = await browser.follow(form.action, undefined, { form: form.fields })
  if (done.response === undefined) throw new Error(`approval left for ${done.location ?? 'nowhere'}`)
  return await done.response.text()
}
