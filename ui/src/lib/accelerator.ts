// Keyboard events as accelerators the global-shortcut plugin understands: modifiers and one
// key joined by "+", e.g. "Ctrl+Alt+P" or "Shift+Super+Right".

const MODIFIER_CODES = new Set([
  'ControlLeft', 'ControlRight', 'AltLeft', 'AltRight', 'ShiftLeft', 'ShiftRight', 'MetaLeft', 'MetaRight',
]);

/** Keys that make a sensible global shortcut on their own (no modifier needed). */
const ALONE_OK = /^(F([1-9]|1[0-9]|2[0-4])|Media\w+|AudioVolume\w+)$/;

/** The key part of an accelerator for a `KeyboardEvent.code`, or null for keys we do not take. */
export function keyName(code: string): string | null {
  let m: RegExpMatchArray | null;
  if ((m = code.match(/^Key([A-Z])$/))) return m[1]!;
  if ((m = code.match(/^Digit([0-9])$/))) return m[1]!;
  if ((m = code.match(/^Arrow(Up|Down|Left|Right)$/))) return m[1]!;
  if (/^F([1-9]|1[0-9]|2[0-4])$/.test(code)) return code;
  if (/^Numpad[0-9]$/.test(code)) return code;
  if (/^(Media\w+|AudioVolume\w+)$/.test(code)) return code;
  const named: Record<string, string> = {
    Space: 'Space', Enter: 'Enter', Tab: 'Tab', Home: 'Home', End: 'End', PageUp: 'PageUp',
    PageDown: 'PageDown', Insert: 'Insert', Minus: 'Minus', Equal: 'Equal', Comma: 'Comma',
    Period: 'Period', Slash: 'Slash', Semicolon: 'Semicolon', Quote: 'Quote', BracketLeft: 'BracketLeft',
    BracketRight: 'BracketRight', Backslash: 'Backslash', Backquote: 'Backquote',
  };
  return named[code] ?? null;
}

/**
 * The accelerator for a key press, or null while only modifiers are held, for keys we do not
 * take, and for plain keys without a modifier (they would steal typing from every other app).
 */
export function acceleratorOf(event: Pick<KeyboardEvent, 'code' | 'ctrlKey' | 'altKey' | 'shiftKey' | 'metaKey'>): string | null {
  if (MODIFIER_CODES.has(event.code)) return null;
  const key = keyName(event.code);
  if (key === null) return null;
  const parts: string[] = [];
  if (event.ctrlKey) parts.push('Ctrl');
  if (event.altKey) parts.push('Alt');
  if (event.shiftKey) parts.push('Shift');
  if (event.metaKey) parts.push('Super');
  const hasModifier = parts.length > 0 && !(parts.length === 1 && parts[0] === 'Shift');
  if (!hasModifier && !ALONE_OK.test(key)) return null;
  parts.push(key);
  return parts.join('+');
}

const ARROWS: Record<string, string> = { Left: '←', Right: '→', Up: '↑', Down: '↓' };

/** An accelerator as shown to the user: as on the key caps ("CmdOrCtrl" as the platform calls it, arrows as arrows). */
export function displayAccelerator(accelerator: string, mac = false): string {
  return accelerator
    .split('+')
    .map((part) => (part === 'CmdOrCtrl' ? (mac ? 'Cmd' : 'Ctrl') : (ARROWS[part] ?? part)))
    .join('+');
}
