// The box's one button. Hold time decides the action: short = show status, long = Wi-Fi reset,
// very long = factory reset. Real: key events of an evdev input device (a GPIO button through the
// gpio-keys overlay); simulated: presses made through the local API.
import { createReadStream, type ReadStream } from 'node:fs'
import type { ButtonDriver, ButtonPress } from './types.js'

export interface PressThresholds {
  /** Held at least this long: a long press. */
  longMs: number
  /** Held at least this long: a very long press. */
  veryLongMs: number
}

export const DEFAULT_THRESHOLDS: PressThresholds = { longMs: 3000, veryLongMs: 10_000 }

export function classifyPress (heldMs: number, thresholds: PressThresholds = DEFAULT_THRESHOLDS): ButtonPress {
  if (heldMs >= thresholds.veryLongMs) return 'very-long'
  if (heldMs >= thresholds.longMs) return 'long'
  return 'short'
}

// linux/input-event-codes.h
const EV_KEY = 1
/** BTN_0: what `dtoverlay=gpio-key,keycode=256` reports; unlike KEY_POWER no desktop service acts on it. */
export const DEFAULT_KEY_CODE = 0x100

/** struct input_event: two longs of time, then u16 type, u16 code, s32 value. */
export const inputEventSize = (arch: string = process.arch): number => ['arm', 'ia32', 'mips', 'mipsel', 'ppc'].includes(arch) ? 16 : 24

export interface EvdevButtonOptions {
  device: string
  keyCode?: number
  thresholds?: PressThresholds
  eventSize?: number
  onError?: (err: Error) => void
}

/** Reads key events; the press length comes from the kernel's event timestamps, not from our clock. */
export function createEvdevButton (options: EvdevButtonOptions): ButtonDriver {
  const size = options.eventSize ?? inputEventSize()
  const keyCode = options.keyCode ?? DEFAULT_KEY_CODE
  const handlers: ((press: ButtonPress) => void)[] = []
  let pressedAt: number | undefined
  let pending = Buffer.alloc(0)
  const stream: ReadStream = createReadStream(options.device)
  stream.on('error', (err) => options.onError?.(err))
  stream.on('data', (chunk: Buffer | string) => {
    pending = Buffer.concat([pending, Buffer.from(chunk)])
    while (pending.length >= size) {
      const event = pending.subarray(0, size)
      pending = pending.subarray(size)
      const half = size / 2 - 4
      const seconds = half === 8 ? Number(event.readBigInt64LE(0)) : event.readInt32LE(0)
      const micros = half === 8 ? Number(event.readBigInt64LE(8)) : event.readInt32LE(4)
      const type = event.readUInt16LE(size - 8)
      const code = event.readUInt16LE(size - 6)
      const value = event.readInt32LE(size - 4)
      if (type !== EV_KEY || code !== keyCode) continue
      const at = seconds * 1000 + micros / 1000
      if (value === 1) pressedAt = at
      // value 2 is autorepeat while held: nothing to do until the release.
      if (value === 0 && pressedAt !== undefined) {
        const press = classifyPress(at - pressedAt, options.thresholds)
        pressedAt = undefined
        for (const handler of handlers) handler(press)
      }
    }
  })
  return {
    onPress: (handler) => { handlers.push(handler) },
    close: async () => { stream.destroy() }
  }
}

export interface SimulatedButton extends ButtonDriver {
  press: (press: ButtonPress) => void
}

export function createSimulatedButton (): SimulatedButton {
  const handlers: ((press: ButtonPress) => void)[] = []
  return {
    onPress: (handler) => { handlers.push(handler) },
    press: (press) => { for (const handler of handlers) handler(press) },
    close: async () => undefined
  }
}
