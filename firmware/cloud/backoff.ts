// Reconnect delays of the box's links to the cloud (MQTT, tunnel): exponential with full jitter, so
// a fleet that lost the cloud together does not come back in one wave.
export interface Backoff { initialMs: number, maxMs: number }

/** The delay before reconnect attempt number `attempt` (0 for the first). */
export function jitteredDelay (backoff: Backoff, attempt: number): number {
  const ceiling = Math.min(backoff.maxMs, backoff.initialMs * 2 ** attempt)
  return Math.max(100, Math.round(Math.random() * ceiling))
}
