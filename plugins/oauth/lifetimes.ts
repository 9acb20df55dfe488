// How long each credential lives, in one place.
const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

export const LIFETIME = {
  session: 30 * DAY,
  /** Access tokens are short-lived JWTs that are not revoked one by one: keep this short. */
  accessTokenSeconds: 10 * 60,
  refreshToken: 30 * DAY,
  verifyEmail: 2 * DAY,
  resetPassword: HOUR,
  setupAdmin: 7 * DAY,
  /** A session's last-seen time is written at most this often, not on every request. */
  sessionTouch: 5 * MINUTE
} as const

export const API_TOKEN_MAX_DAYS = 366
