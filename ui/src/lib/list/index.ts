// One list-row model for every listbox: rows and the cursor (rows.ts), keys (keyboard.ts), the
// viewport's handlers (listbox.ts), a multi-row selection (selection.ts) and drag to reorder
// (reorder.ts, drag.svelte.ts).
export * from './rows';
export * from './keyboard';
export * from './listbox';
export * from './selection';
export * from './reorder';
export { RowDrag, type RowDragOptions } from './drag.svelte';
