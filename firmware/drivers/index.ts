// Picks the real or the simulated implementation of each driver.
import { join } from 'node:path'
import type { BoxOptions } from '../options.js'
import { createEvdevButton, createSimulatedButton, type SimulatedButton } from './button.js'
import { createPngDisplay } from './display-png.js'
import { createFramebufferDisplay } from './framebuffer.js'
import { createSimulatedSystem, createSystemdSystem, type SimulatedSystem } from './system.js'
import type { ButtonDriver, Drivers } from './types.js'
import { createNetworkManagerWifi } from './wifi-nm.js'
import { createSimulatedWifi, DEFAULT_SIMULATED_NETWORKS, type SimulatedWifi } from './wifi-sim.js'

export const DISPLAY_PNG = 'display.png'

export interface SimulatedDrivers extends Drivers {
  wifi: SimulatedWifi
  button: SimulatedButton
  system: SimulatedSystem
}

export function simulatedDrivers (options: BoxOptions): SimulatedDrivers {
  return {
    wifi: createSimulatedWifi({ networks: options.simulatedNetworks ?? DEFAULT_SIMULATED_NETWORKS, profilesFile: join(options.dataDir, 'simulated-wifi.json'), apAddress: options.setupHost }),
    display: createPngDisplay(join(options.dataDir, DISPLAY_PNG)),
    button: createSimulatedButton(),
    system: createSimulatedSystem()
  }
}

export function realDrivers (options: BoxOptions, onError: (err: Error) => void): Drivers {
  const noButton: ButtonDriver = { onPress: () => undefined, close: async () => undefined }
  return {
    wifi: createNetworkManagerWifi({ iface: options.wifiInterface }),
    display: createFramebufferDisplay(options.framebuffer, options.framebufferSysfs),
    button: options.buttonDevice === undefined ? noButton : createEvdevButton({ device: options.buttonDevice, keyCode: options.buttonKeyCode, onError }),
    system: createSystemdSystem()
  }
}
