import { mount } from 'svelte';
import App from './App.svelte';
import { player } from './lib/player.svelte';
import './app.css';

const target = document.getElementById('app');
if (!target) throw new Error('#app is missing from index.html');

const app = mount(App, { target });
void player.start();
window.addEventListener('pagehide', () => player.stop());

export default app;
