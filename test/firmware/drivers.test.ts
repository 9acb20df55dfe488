// Real drivers by what they do to the system (nmcli's argv, framebuffer bytes, evdev events read),
// simulated ones by behaviour.
import { execFile } from 'node:child_process'
import { chmod, mkdir, open, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { classifyPress, createEvdevButton } from '../../firmware/drivers/button.js'
import { createPngDisplay } from '../../firmware/drivers/display-png.js'
import { createFramebufferDisplay, readFramebufferGeometry, toFramebufferBytes, type FramebufferGeometry } from '../../firmware/drivers/framebuffer.js'
import type { ButtonPress } from '../../firmware/drivers/types.js'
import { createNetworkManagerWifi, HOTSPOT_CONNECTION } from '../../firmware/drivers/wifi-nm.js'
import { createSimulatedWifi } from '../../firmware/drivers/wifi-sim.js'
import { tempDir } from '../helpers/app.js'
import { decodeQrImage, decodeQrPixels } from '../helpers/qr.js'

const run = promisify(execFile)

/** A stand-in `nmcli` on PATH: records each argv (tab-separated) and answers like NetworkManager 1.4x. */
async function fakeNmcli (t: Parameters<typeof tempDir>[0]): Promise<{ calls: () => Promise<string[][]> }> {
  const dir = await tempDir(t, 'fake-nmcli-')
  const log = join(dir, 'calls.log')
  const script = `#!/bin/sh
for a in "$@"; do printf '%s\\t' "$a" >> '${log}'; done; echo >> '${log}'
case "$*" in
  *"device wifi list"*)
    printf '%s\\n' 'yes:HomeNet:AA\\:BB\\:CC\\:DD\\:EE\\:01:Infra:6:2437 MHz:82:WPA2:(none):pair_ccmp group_ccmp psk'
    printf '%s\\n' 'no:HomeNet:AA\\:BB\\:CC\\:DD\\:EE\\:02:Infra:36:5180 MHz:64:WPA2:(none):pair_ccmp group_ccmp psk'
    printf '%s\\n' 'no:CoffeeShop:AA\\:BB\\:CC\\:DD\\:EE\\:03:Infra:11:2462 MHz:40:(none):(none):(none)' ;;
  *"wifi connect HomeNet password wrong"*) echo 'Error: Connection activation failed: (7) Secrets were required, but not provided.'; exit 4 ;;
  *"IP4.ADDRESS"*) echo '10.42.0.1/24' ;;
esac
exit 0
`
  await writeFile(join(dir, 'nmcli'), script)
  await chmod(join(dir, 'nmcli'), 0o755)
  const previous = process.env.PATH
  process.env.PATH = `${dir}:${previous}`
  t.teardown(() => { process.env.PATH = previous })
  return { calls: async () => (await readFile(log, 'utf8').catch(() => '')).split('\n').filter(Boolean).map((line) => line.split('\t').slice(0, -1)) }
}

t.test('NetworkManager Wi-Fi: the nmcli commands it issues and how it reads the answers', async (t) => {
  const nmcli = await fakeNmcli(t)
  const wifi = createNetworkManagerWifi({ iface: 'wlan0' })
  t.same(await wifi.scan(), [
    { ssid: 'HomeNet', signalPercent: 82, security: 'WPA2' },
    { ssid: 'CoffeeShop', signalPercent: 40, security: 'open' }
  ], 'one entry per network name, strongest first, open networks named so')
  await t.rejects(wifi.connect('HomeNet', 'wrong'), { name: 'WifiJoinError', reason: 'wrong-password', message: 'Wrong password for "HomeNet"' })
  await wifi.connect('HomeNet', 'correct horse')
  const ap = await wifi.startAccessPoint('OpenClaw-AB12', 'secret123')
  t.same(ap, { ssid: 'OpenClaw-AB12', password: 'secret123', address: '10.42.0.1' })
  await wifi.stopAccessPoint()
  await wifi.reconnect('HomeNet')
  t.same(await nmcli.calls(), [
    ['--terse', '--fields', 'active,ssid,bssid,mode,chan,freq,signal,security,wpa-flags,rsn-flags', 'device', 'wifi', 'list', 'ifname', 'wlan0'],
    ['-w', '10', 'device', 'wifi', 'connect', 'HomeNet', 'password', 'wrong', 'ifname', 'wlan0'],
    ['-w', '10', 'device', 'wifi', 'connect', 'HomeNet', 'password', 'correct horse', 'ifname', 'wlan0'],
    ['device', 'wifi', 'hotspot', 'ifname', 'wlan0', 'con-name', HOTSPOT_CONNECTION, 'ssid', 'OpenClaw-AB12', 'band', 'bg', 'password', 'secret123'],
    ['-g', 'IP4.ADDRESS', 'device', 'show', 'wlan0'],
    ['connection', 'down', 'id', HOTSPOT_CONNECTION],
    ['--wait', '30', 'connection', 'up', 'id', 'HomeNet']
  ])
})

t.test('simulated Wi-Fi checks passwords, remembers joined networks and can lose them', async (t) => {
  const dir = await tempDir(t)
  const make = (): ReturnType<typeof createSimulatedWifi> => createSimulatedWifi({
    networks: [{ ssid: 'HomeNet', password: 'right password', signalPercent: 70 }, { ssid: 'Cafe', signalPercent: 90 }],
    profilesFile: join(dir, 'profiles.json'),
    apAddress: '127.0.0.1',
    joinDelayMs: 1
  })
  const wifi = make()
  t.same(await wifi.scan(), [{ ssid: 'Cafe', signalPercent: 90, security: 'open' }, { ssid: 'HomeNet', signalPercent: 70, security: 'WPA2' }])
  await t.rejects(wifi.connect('HomeNet', 'wrong'), { name: 'WifiJoinError', reason: 'wrong-password' })
  await t.rejects(wifi.connect('Nowhere', ''), { name: 'WifiJoinError', reason: 'not-found' })
  await wifi.connect('HomeNet', 'right password')
  t.equal(await wifi.isConnected('HomeNet'), true)
  wifi.setInRange('HomeNet', false)
  t.equal(await wifi.isConnected('HomeNet'), false, 'out of range: disconnected')
  await t.rejects(wifi.reconnect('HomeNet'), { name: 'WifiJoinError', reason: 'not-found' }, 'rejoining fails while it is out of range')
  const restarted = make()
  await restarted.reconnect('HomeNet')
  t.equal(await restarted.isConnected('HomeNet'), true, 'rejoined with the remembered password')
  await restarted.forget('HomeNet')
  await t.rejects(make().reconnect('HomeNet'), { name: 'WifiJoinError', reason: 'failed' }, 'forgotten')
})

/** Framebuffer bytes back to RGBA, to check what a viewer of the screen would see. */
function fromFramebuffer (bytes: Buffer, g: FramebufferGeometry): Buffer {
  const out = Buffer.alloc(g.width * g.height * 4)
  for (let y = 0; y < g.height; y++) {
    for (let x = 0; x < g.width; x++) {
      const o = y * g.stride + x * (g.bitsPerPixel / 8)
      const i = (y * g.width + x) * 4
      if (g.bitsPerPixel === 16) {
        const v = bytes.readUInt16LE(o)
        out[i] = (v >> 11) << 3; out[i + 1] = ((v >> 5) & 63) << 2; out[i + 2] = (v & 31) << 3
      } else {
        out[i] = bytes[o + 2]!; out[i + 1] = bytes[o + 1]!; out[i + 2] = bytes[o]!
      }
      out[i + 3] = 255
    }
  }
  return out
}

for (const [bitsPerPixel, padding] of [[16, 8], [24, 0], [32, 64]] as const) {
  t.test(`framebuffer at ${bitsPerPixel} bpp: geometry from sysfs, pixels in the device's format`, async (t) => {
    const dir = await tempDir(t)
    const sysfs = join(dir, 'fb0')
    const width = 480
    const height = 320
    const stride = width * bitsPerPixel / 8 + padding
    await mkdir(sysfs)
    await writeFile(join(sysfs, 'virtual_size'), `${width},${height}\n`)
    await writeFile(join(sysfs, 'bits_per_pixel'), `${bitsPerPixel}\n`)
    await writeFile(join(sysfs, 'stride'), `${stride}\n`)
    const device = join(dir, 'fb-device')
    await writeFile(device, Buffer.alloc(stride * height, 0xaa))

    const geometry = await readFramebufferGeometry(sysfs)
    t.same(geometry, { width, height, bitsPerPixel, stride })
    await createFramebufferDisplay(device, sysfs).show({ title: 'Claim me', lines: ['line'], qr: 'https://cloud.example.com/claim?device=ocb_0123456789ABCDEF' })
    const bytes = await readFile(device)
    t.equal(bytes.length, stride * height, 'the device is written in place, never grown')
    const white = bitsPerPixel === 16 ? [0xff, 0xff] : bitsPerPixel === 24 ? [0xff, 0xff, 0xff] : [0xff, 0xff, 0xff, 0xff]
    t.same([...bytes.subarray(0, white.length)], white, 'top-left pixel is the white background')
    if (padding > 0) t.same([...bytes.subarray(stride - padding, stride)], Array(padding).fill(0), 'row padding is left zero')
    t.equal(decodeQrPixels(fromFramebuffer(bytes, geometry), width, height), 'https://cloud.example.com/claim?device=ocb_0123456789ABCDEF', 'the QR on screen decodes')
  })
}

t.test('pixel formats of a pure red pixel', async (t) => {
  const red = Buffer.from([255, 0, 0, 255])
  t.same([...toFramebufferBytes(red, { width: 1, height: 1, bitsPerPixel: 16, stride: 2 })], [0x00, 0xf8], 'RGB565 little endian')
  t.same([...toFramebufferBytes(red, { width: 1, height: 1, bitsPerPixel: 24, stride: 3 })], [0, 0, 255], 'BGR')
  t.same([...toFramebufferBytes(red, { width: 1, height: 1, bitsPerPixel: 32, stride: 4 })], [0, 0, 255, 255], 'BGRX')
})

t.test('the simulated display is a PNG that decodes to what it shows', async (t) => {
  const file = join(await tempDir(t), 'display.png')
  await createPngDisplay(file).show({ title: 'Scan', lines: [], qr: 'WIFI:T:WPA;S:OpenClaw-AB12;P:pw;;' })
  t.equal(await decodeQrImage(file), 'WIFI:T:WPA;S:OpenClaw-AB12;P:pw;;')
})

t.test('press lengths', async (t) => {
  t.same([0, 2999, 3000, 9999, 10_000, 60_000].map((ms) => classifyPress(ms)), ['short', 'short', 'long', 'long', 'very-long', 'very-long'])
})

t.test('evdev button: presses classified by the kernel timestamps of key events', async (t) => {
  const dir = await tempDir(t)
  const fifo = join(dir, 'event0')
  await run('mkfifo', [fifo])
  const presses: ButtonPress[] = []
  const button = createEvdevButton({ device: fifo, keyCode: 0x100, eventSize: 24 })
  t.teardown(() => button.close())
  button.onPress((press) => presses.push(press))
  const event = (seconds: number, micros: number, type: number, code: number, value: number): Buffer => {
    const b = Buffer.alloc(24)
    b.writeBigInt64LE(BigInt(seconds), 0); b.writeBigInt64LE(BigInt(micros), 8)
    b.writeUInt16LE(type, 16); b.writeUInt16LE(code, 18); b.writeInt32LE(value, 20)
    return b
  }
  const EV_KEY = 1
  const EV_SYN = 0
  const writer = await open(fifo, 'w')
  const events = Buffer.concat([
    event(100, 0, EV_KEY, 0x100, 1), event(100, 0, EV_SYN, 0, 0), event(100, 400_000, EV_KEY, 0x100, 0),
    event(200, 0, EV_KEY, 0x100, 1), event(201, 0, EV_KEY, 0x100, 2), event(204, 500_000, EV_KEY, 0x100, 0),
    event(300, 0, EV_KEY, 116, 1), event(301, 0, EV_KEY, 116, 0),
    event(400, 0, EV_KEY, 0x100, 1), event(412, 0, EV_KEY, 0x100, 0)
  ])
  // Split mid-event: reads of a device need not align with events.
  await writer.write(events.subarray(0, 37))
  await writer.write(events.subarray(37))
  await writer.close()
  const deadline = Date.now() + 5000
  while (presses.length < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
  t.same(presses, ['short', 'long', 'very-long'], 'other keys (KEY_POWER) are ignored')
})
