// Account mail through SMTP when SMTP_URL is set; otherwise each link goes to the server log.
import type { FastifyBaseLogger } from 'fastify'
import nodemailer from 'nodemailer'
import type { Config } from '../../server/config.js'

export interface Mail {
  to: string
  subject: string
  text: string
  /** The actionable link of the mail, logged when mail is not configured. */
  link?: string
}

export interface Mailer {
  configured: boolean
  /** Never throws: a mail failure must not change an answer that is uniform on purpose. */
  send: (mail: Mail) => Promise<void>
  close: () => void
}

export function createMailer (config: Pick<Config, 'smtpUrl' | 'mailFrom'>, log: FastifyBaseLogger): Mailer {
  if (config.smtpUrl === undefined) {
    return {
      configured: false,
      async send (mail) {
        // Without SMTP the operator relays the link by hand: this is the one log line that carries a token.
        log.info({ to: mail.to, subject: mail.subject, link: mail.link }, 'mail is not configured (SMTP_URL); link for the user')
      },
      close () {}
    }
  }
  const transport = nodemailer.createTransport(config.smtpUrl)
  return {
    configured: true,
    async send (mail) {
      try {
        await transport.sendMail({ from: config.mailFrom, to: mail.to, subject: mail.subject, text: mail.text })
      } catch (err) {
        log.error({ err: { message: (err as Error).message }, to: mail.to, subject: mail.subject }, 'sending mail failed')
      }
    },
    close () { transport.close() }
  }
}
