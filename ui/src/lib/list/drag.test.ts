import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RowDrag, type RowDragOptions } from './drag.svelte';

// jsdom lays nothing out: the viewport's top is 0 and it is not scrolled, so a pointer at
// `y` is over gap round(y / 32).
const H = 32;

function pointer(type: string, init: { pointerId?: number; clientY: number; buttons?: number; button?: number; shiftKey?: boolean }) {
  const event = new MouseEvent(type, { bubbles: true, clientY: init.clientY, button: init.button ?? 0, buttons: init.buttons ?? 0, shiftKey: init.shiftKey });
  Object.defineProperty(event, 'pointerId', { value: init.pointerId ?? 1 });
  return event as unknown as PointerEvent;
}

let viewport: HTMLDivElement;
let keys: string[];

beforeEach(() => {
  vi.useFakeTimers();
  keys = ['a', 'b', 'c', 'd', 'e'];
  viewport = document.createElement('div');
  viewport.innerHTML = keys
    .map((_, i) => `<div data-index="${i}"><span class="t">x</span><button data-action="remove">×</button></div>`)
    .join('');
  document.body.append(viewport);
});

afterEach(() => {
  viewport.remove();
  vi.useRealTimers();
});

function make(options: Partial<RowDragOptions<string>> = {}) {
  const ondrop = vi.fn();
  const onstart = vi.fn();
  const drag = new RowDrag<string>({
    rowHeight: H,
    viewport: () => viewport,
    count: () => keys.length,
    keyAt: (i) => keys[i],
    indexOf: (k) => (keys.includes(k) ? keys.indexOf(k) : undefined),
    ondrop,
    onstart,
    ...options,
  });
  return { drag, ondrop, onstart };
}

const row = (i: number) => viewport.querySelector<HTMLElement>(`[data-index="${i}"] .t`)!;

describe('RowDrag', () => {
  it('is no drag until the pointer has moved past the threshold', () => {
    const { drag, ondrop, onstart } = make();
    drag.handlers.onpointerdown(withTarget(pointer('pointerdown', { clientY: 48 }), row(1)));
    drag.onpointermove(withTarget(pointer('pointermove', { clientY: 50, buttons: 1 }), row(1)));
    expect(drag.dragging).toBe(false);
    drag.onpointerup(withTarget(pointer('pointerup', { clientY: 50 }), row(1)));
    expect(ondrop).not.toHaveBeenCalled();
    expect(onstart).not.toHaveBeenCalled();
    expect(drag.suppressClick).toBe(false);
  });

  it('drops a row into the gap under the pointer', () => {
    const { drag, ondrop, onstart } = make();
    drag.onpointerdown(withTarget(pointer('pointerdown', { clientY: 48 }), row(1)));
    drag.onpointermove(withTarget(pointer('pointermove', { clientY: 70, buttons: 1 }), row(1)));
    expect(onstart).toHaveBeenCalledWith(1);
    expect(drag.lifted('b')).toBe(true);
    expect(drag.lifted('a')).toBe(false);
    expect(drag.current).toEqual({ key: 'b', slot: 2 });
    expect(drag.dropLine).toBeNull(); // gap 2 is right under row 1: no move
    drag.onpointermove(withTarget(pointer('pointermove', { clientY: 130, buttons: 1 }), row(1)));
    expect(drag.dropLine).toBe(4);
    drag.onpointerup(withTarget(pointer('pointerup', { clientY: 130 }), row(1)));
    expect(ondrop).toHaveBeenCalledWith('b', 1, 3);
    expect(drag.dragging).toBe(false);
    expect(drag.suppressClick).toBe(true);
    vi.runAllTimers();
    expect(drag.suppressClick).toBe(false);
  });

  it('follows the row by key when the rows change during the drag', () => {
    const { drag, ondrop } = make();
    drag.onpointerdown(withTarget(pointer('pointerdown', { clientY: 80 }), row(2)));
    drag.onpointermove(withTarget(pointer('pointermove', { clientY: 10, buttons: 1 }), row(2)));
    keys = ['x', ...keys];
    drag.onpointerup(withTarget(pointer('pointerup', { clientY: 10 }), row(2)));
    expect(ondrop).toHaveBeenCalledWith('c', 3, 0);
  });

  it('drops nothing where the row already is', () => {
    const { drag, ondrop } = make();
    drag.onpointerdown(withTarget(pointer('pointerdown', { clientY: 48 }), row(1)));
    drag.onpointermove(withTarget(pointer('pointermove', { clientY: 64, buttons: 1 }), row(1)));
    drag.onpointerup(withTarget(pointer('pointerup', { clientY: 64 }), row(1)));
    expect(ondrop).not.toHaveBeenCalled();
    expect(drag.suppressClick).toBe(true);
  });

  it('starts no drag on a row button, another button or (plainOnly) with a modifier', () => {
    const { drag, onstart } = make({ plainOnly: true });
    const button = viewport.querySelector<HTMLElement>('[data-index="1"] button')!;
    drag.onpointerdown(withTarget(pointer('pointerdown', { clientY: 48 }), button));
    drag.onpointermove(withTarget(pointer('pointermove', { clientY: 130, buttons: 1 }), button));
    drag.onpointerdown(withTarget(pointer('pointerdown', { clientY: 48, button: 2 }), row(1)));
    drag.onpointermove(withTarget(pointer('pointermove', { clientY: 130, buttons: 1 }), row(1)));
    drag.onpointerdown(withTarget(pointer('pointerdown', { clientY: 48, shiftKey: true }), row(1)));
    drag.onpointermove(withTarget(pointer('pointermove', { clientY: 130, buttons: 1 }), row(1)));
    expect(onstart).not.toHaveBeenCalled();
    const loose = make();
    loose.drag.onpointerdown(withTarget(pointer('pointerdown', { clientY: 48, shiftKey: true }), row(1)));
    loose.drag.onpointermove(withTarget(pointer('pointermove', { clientY: 130, buttons: 1 }), row(1)));
    expect(loose.onstart).toHaveBeenCalledWith(1);
  });

  it('cancels when the button went up unseen, on Escape, and on a lost capture', () => {
    const { drag, ondrop } = make();
    drag.onpointerdown(withTarget(pointer('pointerdown', { clientY: 48 }), row(1)));
    drag.onpointermove(withTarget(pointer('pointermove', { clientY: 130, buttons: 0 }), row(1)));
    drag.onpointerup(withTarget(pointer('pointerup', { clientY: 130 }), row(1)));
    expect(ondrop).not.toHaveBeenCalled();

    drag.onpointerdown(withTarget(pointer('pointerdown', { clientY: 48 }), row(1)));
    drag.onpointermove(withTarget(pointer('pointermove', { clientY: 130, buttons: 1 }), row(1)));
    expect(drag.escape(new KeyboardEvent('keydown', { key: 'Enter' }))).toBe(false);
    const escape = new KeyboardEvent('keydown', { key: 'Escape', cancelable: true });
    expect(drag.escape(escape)).toBe(true);
    expect(escape.defaultPrevented).toBe(true);
    expect(drag.dragging).toBe(false);
    drag.onpointerup(withTarget(pointer('pointerup', { clientY: 130 }), row(1)));
    expect(ondrop).not.toHaveBeenCalled();
    expect(drag.escape(new KeyboardEvent('keydown', { key: 'Escape' }))).toBe(false);

    drag.onpointerdown(withTarget(pointer('pointerdown', { clientY: 48 }), row(1)));
    drag.onpointermove(withTarget(pointer('pointermove', { clientY: 130, buttons: 1 }), row(1)));
    drag.onlostpointercapture();
    drag.onpointerup(withTarget(pointer('pointerup', { clientY: 130 }), row(1)));
    expect(ondrop).not.toHaveBeenCalled();
  });

  it('ignores another pointer', () => {
    const { drag, ondrop } = make();
    drag.onpointerdown(withTarget(pointer('pointerdown', { clientY: 48, pointerId: 1 }), row(1)));
    drag.onpointermove(withTarget(pointer('pointermove', { clientY: 130, buttons: 1, pointerId: 2 }), row(1)));
    expect(drag.dragging).toBe(false);
    drag.onpointermove(withTarget(pointer('pointermove', { clientY: 130, buttons: 1, pointerId: 1 }), row(1)));
    drag.onpointerup(withTarget(pointer('pointerup', { clientY: 130, pointerId: 2 }), row(1)));
    expect(drag.dragging).toBe(true);
    drag.cancel();
    expect(ondrop).not.toHaveBeenCalled();
  });
});

function withTarget(event: PointerEvent, target: EventTarget): PointerEvent {
  Object.defineProperty(event, 'target', { value: target });
  return event;
}
