// The texts of account mail.
import type { Mail } from './mailer.js'

export function verificationMail (to: string, link: string): Mail {
  return { to, link, subject: 'Confirm your email for OpenClaw Cloud', text: `Open this link to confirm your email address:\n\n${link}\n\nIf you did not create an account, ignore this mail.` }
}

export function alreadyRegisteredMail (to: string, signInUrl: string): Mail {
  return { to, subject: 'You already have an OpenClaw Cloud account', text: `Someone tried to create an account with this address, which already has one. Sign in at ${signInUrl}, or reset your password there if you forgot it.\n\nIf this was not you, ignore this mail.` }
}

export function resetMail (to: string, link: string): Mail {
  return { to, link, subject: 'Reset your OpenClaw Cloud password', text: `Open this link within an hour to choose a new password:\n\n${link}\n\nIf you did not ask for this, ignore this mail; your password stays as it is.` }
}
