// Counters of what the broker refused or dropped, for logs, tests and (later) /metrics.
export interface BrokerStats {
  connectionsRefused: number
  publishesRefused: number
  subscriptionsRefused: number
  payloadsDropped: number
  rateLimitedDisconnects: number
  messagesAccepted: number
}

export function createBrokerStats (): BrokerStats {
  return { connectionsRefused: 0, publishesRefused: 0, subscriptionsRefused: 0, payloadsDropped: 0, rateLimitedDisconnects: 0, messagesAccepted: 0 }
}
