// Per-box publish rate limit: a token bucket (`burst` tokens, refilled at `rate` per second).
// Enforced in the broker's authorizePublish hook so a flooding box is cut off before its messages
// reach mqemitter (ARCHITECTURE §3 "MQTT": plain Aedes overflowed its stack under a flood).

export interface RateLimit {
  rate: number
  burst: number
}

export interface TokenBucket {
  /** Takes one token; false when the bucket is empty. */
  take: () => boolean
}

export function createTokenBucket (limit: RateLimit, now: () => number = performance.now.bind(performance)): TokenBucket {
  let tokens = limit.burst
  let last = now()
  return {
    take () {
      const at = now()
      tokens = Math.min(limit.burst, tokens + (at - last) / 1000 * limit.rate)
      last = at
      if (tokens < 1) return false
      tokens -= 1
      return true
    }
  }
}
