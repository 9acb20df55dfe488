// A real SMTP server on port 0 that keeps what it receives, for tests of account mail.
import { SMTPServer } from 'smtp-server'
import type { TestContext } from '../helpers/app.js'

export interface ReceivedMail { to: string[], subject: string, text: string }

export interface MailServer {
  url: string
  received: ReceivedMail[]
  /** Resolves with the next mail to `to` (one already received and not yet taken counts). */
  next: (to: string) => Promise<ReceivedMail>
}

/** Undoes quoted-printable: soft line breaks and =XX escapes. */
function decodeQuotedPrintable (text: string): string {
  return text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16)))
}

function parse (raw: string, to: string[]): ReceivedMail {
  const split = raw.indexOf('\r\n\r\n')
  const headers = raw.slice(0, split)
  const subject = /^Subject: (.*)$/im.exec(headers)?.[1] ?? ''
  const body = raw.slice(split + 4)
  return { to, subject, text: /quoted-printable/i.test(headers) ? decodeQuotedPrintable(body) : body }
}

export async function startMailServer (t: TestContext): Promise<MailServer> {
  const received: ReceivedMail[] = []
  const taken = new Set<ReceivedMail>()
  const waiters: Array<() => void> = []
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    onData (stream, session, callback) {
      let raw = ''
      stream.on('data', (chunk: Buffer) => { raw += chunk.toString() })
      stream.on('end', () => {
        received.push(parse(raw, session.envelope.rcptTo.map((rcpt) => rcpt.address)))
        for (const wake of waiters.splice(0)) wake()
        callback()
      })
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  const { port } = server.server.address() as { port: number }

  async function next (to: string): Promise<ReceivedMail> {
    for (;;) {
      const found = received.find((mail) => !taken.has(mail) && mail.to.includes(to))
      if (found !== undefined) {
        taken.add(found)
        return found
      }
      await new Promise<void>((resolve) => waiters.push(resolve))
    }
  }
  return { url: `smtp://127.0.0.1:${port}`, received, next }
}

/** The token of the first link in a mail. */
export function tokenIn (mail: ReceivedMail): string {
  const match = /[?&]token=([^\s&]+)/.exec(mail.text)
  if (match?.[1] === undefined) throw new Error(`no link with a token in mail "${mail.subject}"`)
  return decodeURIComponent(match[1])
}
