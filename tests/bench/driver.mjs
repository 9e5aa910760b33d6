// A tauri-driver of its own for one launch of an app (the app inherits the driver's
// environment), in its own process group so that a kill of the group ends the app too. Shared
// by the benches that drive the app over WebDriver.
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

/** Starts tauri-driver on PORT (and PORT + 1 for WebKitWebDriver); resolves once it answers. */
export async function startDriver(env, port) {
  const child = spawn(process.env.TAURI_DRIVER ?? 'tauri-driver', ['--port', String(port), '--native-port', String(port + 1)], {
    env,
    stdio: 'ignore',
    detached: true,
  });
  for (let i = 0; i < 150; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/status`)).ok) break;
    } catch {
      // not up yet
    }
    await sleep(100);
  }
  return child;
}
