import { beforeEach, describe, expect, it, vi } from 'vitest';
import { listboxHandlers, type ListboxOptions } from './listbox';

let viewport: HTMLDivElement;

beforeEach(() => {
  viewport = document.createElement('div');
  viewport.innerHTML = [0, 1, 2, 3]
    .map((i) => `<div data-index="${i}" tabindex="-1"><span class="t">x</span><button data-action="play">▶</button></div>`)
    .join('');
});

const row = (i: number) => viewport.querySelector<HTMLElement>(`[data-index="${i}"]`)!;
const cell = (i: number) => row(i).querySelector<HTMLElement>('.t')!;
const button = (i: number) => row(i).querySelector<HTMLElement>('button')!;

function on<E extends Event>(target: EventTarget, event: E): E {
  Object.defineProperty(event, 'target', { value: target });
  return event;
}

function keydown(target: EventTarget, key: string, mods: KeyboardEventInit = {}) {
  return on(target, new KeyboardEvent('keydown', { key, cancelable: true, ...mods }));
}

function make(options: Partial<ListboxOptions> = {}) {
  const spies = {
    move: vi.fn(),
    activate: vi.fn(),
    click: vi.fn(),
    focus: vi.fn(),
    menu: vi.fn(),
    remove: vi.fn(),
    reorder: vi.fn(),
    selectAll: vi.fn(),
    clear: vi.fn(() => true),
  };
  const handlers = listboxHandlers({ active: () => 1, count: () => 4, page: () => 2, ...spies, ...options });
  return { handlers, spies };
}

describe('listboxHandlers', () => {
  it('moves from the row the key was pressed on, else from the cursor', () => {
    const { handlers, spies } = make();
    const down = keydown(cell(2), 'ArrowDown');
    handlers.onkeydown(down);
    expect(spies.move).toHaveBeenLastCalledWith(3, false);
    expect(down.defaultPrevented).toBe(true);
    handlers.onkeydown(keydown(viewport, 'PageDown', { shiftKey: true }));
    expect(spies.move).toHaveBeenLastCalledWith(3, true);
  });

  it('does nothing in an empty list', () => {
    const { handlers, spies } = make({ active: () => -1, count: () => 0 });
    const down = keydown(viewport, 'ArrowDown');
    handlers.onkeydown(down);
    expect(spies.move).not.toHaveBeenCalled();
    expect(down.defaultPrevented).toBe(false);
  });

  it('plays on Enter, not on a row button', () => {
    const { handlers, spies } = make();
    handlers.onkeydown(keydown(cell(3), 'Enter'));
    expect(spies.activate).toHaveBeenCalledWith(3);
    const onButton = keydown(button(3), 'Enter');
    handlers.onkeydown(onButton);
    expect(spies.activate).toHaveBeenCalledTimes(1);
    expect(onButton.defaultPrevented).toBe(false);
  });

  it('opens the menu, removes and reorders the row', () => {
    const { handlers, spies } = make();
    handlers.onkeydown(keydown(row(2), 'F10', { shiftKey: true }));
    expect(spies.menu).toHaveBeenCalledWith(2, null);
    handlers.onkeydown(keydown(row(2), 'Delete'));
    expect(spies.remove).toHaveBeenCalledWith(2);
    handlers.onkeydown(keydown(row(2), 'ArrowUp', { altKey: true }));
    expect(spies.reorder).toHaveBeenCalledWith(2, -1);
  });

  it('leaves the keys of what a list does not have', () => {
    const { handlers } = make({ menu: undefined, remove: undefined, reorder: undefined });
    for (const [key, mods] of [
      ['ContextMenu', {}],
      ['Delete', {}],
      ['ArrowDown', { altKey: true }],
      ['a', { ctrlKey: true }],
      ['Escape', {}],
    ] as const) {
      const event = keydown(row(0), key, mods);
      handlers.onkeydown(event);
      expect(event.defaultPrevented, key).toBe(false);
    }
  });

  it('selects all and clears only in a multi-select list, taking Escape when it cleared', () => {
    const { handlers, spies } = make({ multiselect: true });
    handlers.onkeydown(keydown(row(0), 'a', { ctrlKey: true }));
    expect(spies.selectAll).toHaveBeenCalled();
    const escape = keydown(row(0), 'Escape');
    handlers.onkeydown(escape);
    expect(escape.defaultPrevented).toBe(true);
    spies.clear.mockReturnValue(false);
    const again = keydown(row(0), 'Escape');
    handlers.onkeydown(again);
    expect(again.defaultPrevented).toBe(false);
    const single = make();
    single.handlers.onkeydown(keydown(row(0), 'a', { ctrlKey: true }));
    expect(single.spies.selectAll).not.toHaveBeenCalled();
  });

  it('reports clicks with the row and its action, unless the click ends a drag', () => {
    let dragged = false;
    const { handlers, spies } = make({ suppressClick: () => dragged });
    handlers.onclick(on(cell(2), new MouseEvent('click')));
    expect(spies.click).toHaveBeenLastCalledWith(2, null, expect.any(MouseEvent));
    handlers.onclick(on(button(3), new MouseEvent('click')));
    expect(spies.click).toHaveBeenLastCalledWith(3, 'play', expect.any(MouseEvent));
    handlers.onclick(on(viewport, new MouseEvent('click')));
    dragged = true;
    handlers.onclick(on(cell(0), new MouseEvent('click')));
    expect(spies.click).toHaveBeenCalledTimes(2);
  });

  it('plays on a double click on the row; with a modifier only where that does not select', () => {
    const { handlers, spies } = make();
    handlers.ondblclick(on(cell(2), new MouseEvent('dblclick')));
    handlers.ondblclick(on(button(2), new MouseEvent('dblclick')));
    handlers.ondblclick(on(cell(3), new MouseEvent('dblclick', { shiftKey: true })));
    expect(spies.activate.mock.calls).toEqual([[2], [3]]);
    const multi = make({ multiselect: true });
    multi.handlers.ondblclick(on(cell(3), new MouseEvent('dblclick', { ctrlKey: true })));
    expect(multi.spies.activate).not.toHaveBeenCalled();
  });

  it('follows focus to another row', () => {
    const { handlers, spies } = make();
    handlers.onfocusin(on(cell(1), new FocusEvent('focusin')));
    expect(spies.focus).not.toHaveBeenCalled();
    handlers.onfocusin(on(button(3), new FocusEvent('focusin')));
    expect(spies.focus).toHaveBeenCalledWith(3);
  });

  it('opens the menu at the pointer on a right click, if the list has one', () => {
    const { handlers, spies } = make();
    const click = on(cell(2), new MouseEvent('contextmenu', { clientX: 5, clientY: 7, cancelable: true }));
    handlers.oncontextmenu(click);
    expect(spies.menu).toHaveBeenCalledWith(2, { x: 5, y: 7 });
    expect(click.defaultPrevented).toBe(true);
    const plain = make({ menu: undefined });
    const other = on(cell(2), new MouseEvent('contextmenu', { cancelable: true }));
    plain.handlers.oncontextmenu(other);
    expect(other.defaultPrevented).toBe(false);
  });
});
