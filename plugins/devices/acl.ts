// The broker's publish and subscribe gates: per-box rate limit, the topic ACL of
// protocol/topics.ts (a box touches only its own devices/{id}/... in the allowed directions), and
// payload validation. Refusals are logged and counted in BrokerStats.
import type { Client, PublishPacket, Subscription } from 'aedes'
import type { FastifyBaseLogger } from 'fastify'
import { canDevicePublish, canDeviceSubscribe, DEVICE_TOPIC_ACL, parseDeviceTopic } from '../../protocol/topics.js'
import { createTokenBucket, type RateLimit, type TokenBucket } from './limits.js'
import { parseDeviceMessage, type DeviceMessage } from './payloads.js'
import type { BrokerStats } from './stats.js'

export interface AclOptions {
  stats: BrokerStats
  log: FastifyBaseLogger
  maxPayload: number
  rateLimit: RateLimit
  /** Called with every accepted message, before the broker forwards or retains it. */
  onMessage: (message: DeviceMessage) => void
}

// Synchronous: the publish gate runs for every message, and a promise per message (each one
// tracked by the async hooks that MikroORM's request context switches on) cost more than the checks.
export interface Acl {
  /** Throws to make the broker close the connection (MQTT 3.1.1 §3.3.5: no way to refuse a PUBLISH otherwise). */
  authorizePublish: (client: Client | null, packet: PublishPacket) => void
  /** Returns null to refuse: the SUBACK then carries 0x80 for that filter (MQTT 3.1.1 §3.9.3). */
  authorizeSubscribe: (client: Client, subscription: Subscription) => Subscription | null
}

class Refused extends Error {}

export function createAcl (options: AclOptions): Acl {
  const { stats, log } = options
  const buckets = new WeakMap<Client, TokenBucket>()
  const cutOff = new WeakSet<Client>()
  // Every PUBLISH already read from a flooder's socket is refused with this one error: building a
  // fresh Error (and its stack) per message would hand the flood a cost of its own.
  const rateExceeded = new Refused('publish rate exceeded')

  function withinRate (client: Client): boolean {
    if (cutOff.has(client)) return false
    let bucket = buckets.get(client)
    if (bucket === undefined) {
      bucket = createTokenBucket(options.rateLimit)
      buckets.set(client, bucket)
    }
    if (bucket.take()) return true
    cutOff.add(client)
    stats.rateLimitedDisconnects++
    log.warn({ deviceId: client.id, ...options.rateLimit }, 'MQTT box exceeded its publish rate; disconnecting it')
    return false
  }

  /** Validates and hands on the message; an invalid payload is dropped but the PUBLISH is acknowledged. */
  function accept (deviceId: string, packet: PublishPacket): void {
    const topic = parseDeviceTopic(packet.topic)!
    // Only the kinds the ACL marks retained are kept as retained messages (MQTT 3.1.1 §3.3.1.3).
    packet.retain = packet.retain && DEVICE_TOPIC_ACL[topic.kind].retained
    const parsed = parseDeviceMessage(topic, packet.payload as Buffer, options.maxPayload)
    if (!parsed.ok) {
      stats.payloadsDropped++
      packet.retain = false
      log.info({ deviceId, topic: packet.topic, path: parsed.issue.path }, `MQTT payload dropped: ${parsed.issue.message}`)
      return
    }
    stats.messagesAccepted++
    options.onMessage(parsed.message)
  }

  return {
    authorizePublish (client, packet) {
      if (client === null) {
        // A will left by a session of an earlier broker run: only a box's own offline state qualifies.
        const topic = parseDeviceTopic(packet.topic)
        if (topic?.kind !== 'state') throw new Refused(`stale will on ${packet.topic} refused`)
        accept(topic.deviceId, packet)
        return
      }
      if (!withinRate(client)) throw rateExceeded
      if (!canDevicePublish(client.id, packet.topic)) {
        stats.publishesRefused++
        log.warn({ deviceId: client.id, topic: packet.topic }, 'MQTT publish refused by the ACL; disconnecting the box')
        throw new Refused(`not allowed to publish on ${packet.topic}`)
      }
      accept(client.id, packet)
    },

    authorizeSubscribe (client, subscription) {
      if (canDeviceSubscribe(client.id, subscription.topic)) {
        const kind = parseDeviceTopic(subscription.topic)!.kind
        return { ...subscription, qos: Math.min(subscription.qos, DEVICE_TOPIC_ACL[kind].qos) as Subscription['qos'] }
      }
      stats.subscriptionsRefused++
      log.warn({ deviceId: client.id, topic: subscription.topic }, 'MQTT subscription refused by the ACL')
      return null
    }
  }
}
