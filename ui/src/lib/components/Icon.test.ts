import { render, screen, within } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import { describe, expect, it } from 'vitest';
import App from '../../App.svelte';
import Icon, { ICON_NAMES } from './Icon.svelte';
import { player } from '../player.svelte';
import { makeTrack, playingSnapshot } from '../../test/fixtures';

describe('Icon', () => {
  it.each(ICON_NAMES)('draws %s as a hidden, unfocusable SVG', (name) => {
    const { container } = render(Icon, { name, size: 20 });
    const svg = container.querySelector('svg')!;
    expect(svg).toHaveAttribute('data-icon', name);
    expect(svg).toHaveAttribute('aria-hidden', 'true');
    expect(svg).toHaveAttribute('width', '20');
    expect(svg.classList.contains('icon')).toBe(true);
    expect(svg.querySelector('path, circle, rect, line, polyline')).not.toBeNull();
  });

  it('gives every view in the sidebar an icon of its own', () => {
    player.load(playingSnapshot([makeTrack()], 0));
    render(App);
    flushSync();
    const nav = screen.getByRole('navigation');
    const buttons = within(nav).getAllByRole('button');
    const icons = buttons.map((button) => button.querySelector('svg.icon')?.getAttribute('data-icon'));
    expect(icons.every(Boolean)).toBe(true);
    expect(new Set(icons).size, icons.join(' ')).toBe(icons.length);
  });
});
