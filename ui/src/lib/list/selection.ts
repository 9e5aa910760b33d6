// A multi-row selection, by key (an entry id, not an index: the rows may change under it), with
// the anchor that Shift+click and Shift+arrow ranges start from. Immutable: every change is a
// new value, so a `$state.raw` holding it updates the view.

export interface Selection<K> {
  readonly keys: ReadonlySet<K>;
  /** Where a range starts; a key that is gone means "no anchor". */
  readonly anchor: K | null;
}

export function emptySelection<K>(): Selection<K> {
  return { keys: new Set(), anchor: null };
}

/** Only `key`, which becomes the anchor. */
export function selectOnly<K>(key: K): Selection<K> {
  return { keys: new Set([key]), anchor: key };
}

/** `key` added or taken out; it becomes the anchor either way. */
export function toggleSelected<K>(selection: Selection<K>, key: K): Selection<K> {
  const keys = new Set(selection.keys);
  if (keys.has(key)) keys.delete(key);
  else keys.add(key);
  return { keys, anchor: key };
}

/**
 * The rows from the anchor to row `index` of `rows` (the anchor stays); only that row when there
 * is no anchor in `rows`.
 */
export function selectRange<K>(selection: Selection<K>, rows: readonly K[], index: number): Selection<K> {
  const key = rows[index];
  if (key === undefined) return selection;
  const anchor = selection.anchor === null ? -1 : rows.indexOf(selection.anchor);
  if (anchor < 0) return selectOnly(key);
  const [from, to] = anchor <= index ? [anchor, index] : [index, anchor];
  return { keys: new Set(rows.slice(from, to + 1)), anchor: selection.anchor };
}

/** Every row (the anchor stays). */
export function selectAll<K>(selection: Selection<K>, rows: readonly K[]): Selection<K> {
  return { keys: new Set(rows), anchor: selection.anchor };
}

/** Nothing (the anchor stays). */
export function clearSelection<K>(selection: Selection<K>): Selection<K> {
  return { keys: new Set(), anchor: selection.anchor };
}

/** What a click on row `index` makes of the selection: Shift extends, Ctrl/Cmd toggles. */
export function clickSelection<K>(
  selection: Selection<K>,
  rows: readonly K[],
  index: number,
  modifiers: { shiftKey: boolean; ctrlKey: boolean; metaKey: boolean },
): Selection<K> {
  const key = rows[index];
  if (key === undefined) return selection;
  if (modifiers.shiftKey) return selectRange(selection, rows, index);
  if (modifiers.ctrlKey || modifiers.metaKey) return toggleSelected(selection, key);
  return selectOnly(key);
}

/** The selected keys still in `rows`, in row order. */
export function selectedInOrder<K>(selection: Selection<K>, rows: readonly K[]): K[] {
  if (selection.keys.size === 0) return [];
  return rows.filter((key) => selection.keys.has(key));
}
