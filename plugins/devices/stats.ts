// Counters of what the broker accepted, sent, refused or dropped, and command completions, for logs, tests and /metrics.
import { EventEmitter } from 'node:events'

export interface CommandCompletion {
  deviceId: string
  commandId: string
  status: 'succeeded' | 'failed' | 'expired'
  /** From writing the command to the box's session to its result arriving. */
  roundTripSeconds: number
}

export interface BrokerStats {
  connectionsRefused: number
  publishesRefused: number
  subscriptionsRefused: number
  payloadsDropped: number
  rateLimitedDisconnects: number
  messagesAccepted: number
  /** Commands the server wrote to boxes' sessions. */
  messagesSent: number
  /** Emits `commandCompleted` with a CommandCompletion for each result of a delivered command. */
  events: EventEmitter<{ commandCompleted: [CommandCompletion] }>
}

export function createBrokerStats (): BrokerStats {
  return { connectionsRefused: 0, publishesRefused: 0, subscriptionsRefused: 0, payloadsDropped: 0, rateLimitedDisconnects: 0, messagesAccepted: 0, messagesSent: 0, events: new EventEmitter() }
}
