// The box's state machine (issue 8): a pure function from (snapshot, event) to the next snapshot,
// so every transition can be tested with plain objects. Side effects live in the daemon, which
// derives what must run from the snapshot (services.ts) and persists each snapshot before acting.
import Type from 'typebox'
import { DesiredConfig } from '../../protocol/payloads.js'

import { BOX_STATES, type BoxState } from '../../protocol/box-setup.js'

export { BOX_STATES, type BoxState }

export const SNAPSHOT_VERSION = 1

export const BoxSnapshot = Type.Object({
  version: Type.Literal(SNAPSHOT_VERSION),
  /** Increases with every transition: tells a reader which of two snapshots is newer. */
  seq: Type.Integer({ minimum: 0 }),
  state: Type.Union([
    Type.Literal('no-credentials'), Type.Literal('setup'), Type.Literal('joining-wifi'), Type.Literal('online-unclaimed'),
    Type.Literal('claimed'), Type.Literal('offline'), Type.Literal('factory-reset')
  ]),
  since: Type.Integer({ minimum: 0, description: 'ms since the epoch when this state was entered' }),
  /** The home network the box joined last; NetworkManager (or the simulator) keeps its secret. */
  wifi: Type.Optional(Type.Object({ ssid: Type.String({ minLength: 1, maxLength: 32 }) })),
  /** The network being joined while in `joining-wifi`. */
  joining: Type.Optional(Type.Object({ ssid: Type.String({ minLength: 1, maxLength: 32 }) })),
  claim: Type.Object({
    claimed: Type.Boolean(),
    owner: Type.Optional(Type.String()),
    instanceUrl: Type.Optional(Type.String())
  }),
  /** The last desired config applied (retained on `devices/{id}/config`). */
  config: Type.Optional(DesiredConfig),
  /** Shown to the user: why the last attempt failed (wrong Wi-Fi password, missing credentials). */
  lastError: Type.Optional(Type.String()),
  offlineSince: Type.Optional(Type.Integer({ minimum: 0 }))
}, { additionalProperties: false })
export type BoxSnapshot = Type.Static<typeof BoxSnapshot>

export type BoxEvent =
  | { type: 'credentials-missing', reason: string }
  | { type: 'boot' }
  | { type: 'wifi-submitted', ssid: string }
  | { type: 'wifi-joined' }
  | { type: 'wifi-failed', reason: string }
  | { type: 'wifi-lost' }
  | { type: 'wifi-restored' }
  | { type: 'offline-timeout' }
  | { type: 'config-received', config: DesiredConfig }
  | { type: 'wifi-reset' }
  | { type: 'factory-reset' }
  | { type: 'reset-done' }

export class InvalidTransition extends Error {
  override readonly name = 'InvalidTransition'
  constructor (readonly from: BoxState, readonly event: BoxEvent['type']) {
    super(`event ${event} is not allowed in state ${from}`)
  }
}

export function initialSnapshot (now: number): BoxSnapshot {
  return { version: SNAPSHOT_VERSION, seq: 0, state: 'setup', since: now, claim: { claimed: false } }
}

const ONLINE: readonly BoxState[] = ['online-unclaimed', 'claimed']
const WITH_CREDENTIALS: readonly BoxState[] = BOX_STATES.filter((state) => state !== 'no-credentials')

/** Where the box goes once it has a working network. */
const onlineState = (snapshot: BoxSnapshot): BoxState => snapshot.claim.claimed ? 'claimed' : 'online-unclaimed'

type Change = Partial<Omit<BoxSnapshot, 'version' | 'seq' | 'since'>> & { state: BoxState }

function decide (s: BoxSnapshot, event: BoxEvent, now: number): Change | undefined {
  const is = (...states: readonly BoxState[]): boolean => states.includes(s.state)
  switch (event.type) {
    case 'credentials-missing':
      return { state: 'no-credentials', lastError: event.reason }
    case 'boot':
      // An interrupted reset is finished first; a known network is rejoined; otherwise set up.
      if (s.state === 'factory-reset') return { state: 'factory-reset' }
      if (s.wifi !== undefined) return { state: 'joining-wifi', joining: s.wifi, lastError: undefined }
      return { state: 'setup', joining: undefined, lastError: s.state === 'no-credentials' ? undefined : s.lastError }
    case 'wifi-submitted':
      return is('setup', 'offline') ? { state: 'joining-wifi', joining: { ssid: event.ssid }, lastError: undefined } : undefined
    case 'wifi-joined':
      return is('joining-wifi') ? { state: onlineState(s), wifi: s.joining, joining: undefined, lastError: undefined, offlineSince: undefined } : undefined
    case 'wifi-failed':
      if (!is('joining-wifi')) return undefined
      // Rejoining the known network failed: it may just be out of range, so retry from `offline`.
      if (s.wifi !== undefined && s.joining?.ssid === s.wifi.ssid) return { state: 'offline', joining: undefined, lastError: event.reason, offlineSince: s.offlineSince ?? now }
      return { state: 'setup', joining: undefined, lastError: event.reason }
    case 'wifi-lost':
      return is(...ONLINE) ? { state: 'offline', offlineSince: now } : undefined
    case 'wifi-restored':
      return is('offline') ? { state: onlineState(s), lastError: undefined, offlineSince: undefined } : undefined
    case 'offline-timeout':
      // Back to setup so the owner can give a new network; the claim and the old network are kept.
      return is('offline') ? { state: 'setup' } : undefined
    case 'config-received': {
      if (!is(...ONLINE, 'offline')) return undefined
      if (s.config !== undefined && event.config.version <= s.config.version) return undefined
      const { claimed, owner, instanceUrl } = event.config.claim
      const claim = { claimed, ...(owner === undefined ? {} : { owner }), ...(instanceUrl === undefined ? {} : { instanceUrl }) }
      const state = s.state === 'offline' ? 'offline' : (claim.claimed ? 'claimed' : 'online-unclaimed')
      return { state, claim, config: event.config }
    }
    case 'wifi-reset':
      return is(...WITH_CREDENTIALS) && !is('factory-reset') ? { state: 'setup', wifi: undefined, joining: undefined, offlineSince: undefined, lastError: undefined } : undefined
    case 'factory-reset':
      return is(...WITH_CREDENTIALS) ? { state: 'factory-reset' } : undefined
    case 'reset-done':
      return is('factory-reset') ? { state: 'setup', wifi: undefined, joining: undefined, claim: { claimed: false }, config: undefined, lastError: undefined, offlineSince: undefined } : undefined
  }
}

/** The next snapshot, or InvalidTransition. A change of data within the same state is a transition too. */
export function transition (snapshot: BoxSnapshot, event: BoxEvent, now: number): BoxSnapshot {
  const change = decide(snapshot, event, now)
  if (change === undefined) throw new InvalidTransition(snapshot.state, event.type)
  const next: BoxSnapshot = { ...snapshot, ...change, version: SNAPSHOT_VERSION, seq: snapshot.seq + 1, since: change.state === snapshot.state ? snapshot.since : now }
  // Optional fields set to undefined are dropped, so the snapshot stays valid JSON for the schema.
  for (const key of Object.keys(next) as (keyof BoxSnapshot)[]) if (next[key] === undefined) delete next[key]
  return next
}
