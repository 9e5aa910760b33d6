import { mount, type Component } from 'svelte';
import App from './App.svelte';
import DesktopLyrics from './lib/components/DesktopLyrics.svelte';
import MiniPlayer from './lib/components/MiniPlayer.svelte';
import { followAppearance } from './lib/appearance.svelte';
import { platformOf } from './lib/platform';
import { player } from './lib/player.svelte';
import './app.css';

// Where start-up goes, for tests/bench/library.mjs: the script ran, the app was mounted, the
// snapshot came (then `lyrebird:library-painted`).
const mark = (name: string) => performance.mark?.(`lyrebird:${name}`);
mark('script');
const target = document.getElementById('app');
if (!target) throw new Error('#app is missing from index.html');

// One page, three windows: the main window, the mini player (#mini), the desktop lyrics (#lyrics).
const views: Record<string, Component> = { '#mini': MiniPlayer, '#lyrics': DesktopLyrics };
// Before the first layout: which Chinese face `app.css` names depends on the platform.
document.documentElement.dataset.platform = platformOf(navigator.userAgent);
// Every window follows the theme and accent in the settings (and the system's scheme).
followAppearance();
const app = mount(views[location.hash] ?? App, { target });
mark('mounted');
void player.start().then(() => mark('snapshot'));
window.addEventListener('pagehide', () => player.stop());

export default app;
