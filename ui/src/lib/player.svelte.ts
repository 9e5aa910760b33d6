// The mirror of the Rust actor. The UI keeps no player state of its own: it loads a snapshot
// with `get_snapshot`, then applies every `lyrebird://player` event to it. A rebuilt window
// simply starts again from a new snapshot.
import type { Anchor } from './playhead.svelte';
import {
  commands,
  onPlayerEvent,
  type Notice,
  type PlayerEvent,
  type Published,
  type Snapshot,
  type Unlisten,
} from './ipc';
import { applyEvent } from './reducer';

/** A message raised by the UI itself (a command that was rejected). */
export type LocalNotice =
  | { kind: 'commandFailed'; reason: string }
  /** Songs were added to a NetEase playlist (named as NetEase named it: untrusted text). */
  | { kind: 'addedToNeteasePlaylist'; playlist: string };

export type ToastNotice = Notice | LocalNotice;

export type Severity = 'error' | 'warning' | 'info';

export interface Toast {
  id: number;
  notice: ToastNotice;
  severity: Severity;
}

/** How long a toast stays up unless dismissed. */
export const TOAST_MS = 6000;
/** Older toasts are dropped beyond this many. */
export const MAX_TOASTS = 4;

export function severityOf(notice: ToastNotice): Severity {
  switch (notice.kind) {
    case 'cannotPlay':
    case 'cannotLike':
    case 'allTracksFailed':
    case 'noAudioDevice':
    case 'settingsNotSaved':
    case 'commandFailed':
      return 'error';
    case 'settingsReset':
    case 'sessionReset':
    case 'nothingToPlay':
    case 'shortcutUnavailable':
    case 'stalled':
    case 'sourceUnreachable':
    case 'neteaseOffline':
      return 'warning';
    case 'audioDeviceRestored':
    case 'addedToNeteasePlaylist':
      return 'info';
  }
}

function messageOf(error: unknown): string {
  if (typeof error === 'string') return error;
  if (error instanceof Error) return error.message;
  try {
    return JSON.stringify(error);
  } catch {
    return String(error);
  }
}

export class PlayerStore {
  /** The mirrored snapshot; `null` until `get_snapshot` answered. */
  snapshot = $state.raw<Snapshot | null>(null);
  /** Why the snapshot could not be loaded, if it could not. */
  loadError = $state.raw<string | null>(null);
  /** Toasts on screen, oldest first. */
  toasts = $state.raw<Toast[]>([]);

  readonly state = $derived(this.snapshot?.state ?? null);
  readonly library = $derived(this.snapshot?.library ?? null);
  readonly queue = $derived(this.snapshot?.queue ?? null);
  readonly settings = $derived(this.snapshot?.settings ?? null);
  readonly currentId = $derived(this.snapshot?.state.current?.id ?? null);
  /** When (the page's clock) the position shown last changed: where a `Playhead` follows from. */
  #positionAt = 0;

  #unlisten: Unlisten | null = null;
  /** Events that arrived while a snapshot was being fetched; the newer ones apply on top of it. */
  #pending: (PlayerEvent | Published)[] | null = null;
  /** The sequence number of the newest event (or snapshot) applied; older events are dropped. */
  #seq = 0;
  #starting: Promise<void> | null = null;
  #nextToastId = 1;
  #timers = new Map<number, ReturnType<typeof setTimeout>>();
  /**
   * True while the document is hidden (the window minimised, on another workspace, covered
   * entirely). Position events are then held, not applied: the newest one waits here and is
   * applied when the window shows again, so nothing is redrawn for no one.
   */
  #hidden = false;
  #heldPosition: PlayerEvent | null = null;
  #onVisibility: (() => void) | null = null;

  /**
   * Subscribes to events and loads the snapshot. Events that arrive while the snapshot is on
   * its way are applied on top of it in order: events of one kind carry the whole slice, so
   * the last one wins and the mirror converges. Safe to call again (e.g. to retry).
   */
  start(): Promise<void> {
    this.#starting ??= this.#start().finally(() => {
      this.#starting = null;
    });
    return this.#starting;
  }

  async #start(): Promise<void> {
    this.#pending = [];
    this.loadError = null;
    this.#watchVisibility();
    try {
      this.#unlisten ??= await onPlayerEvent((event) => this.receive(event));
      performance.mark?.('lyrebird:listening');
      let snapshot = await commands.getSnapshot();
      this.#seq = snapshot.seq;
      for (const event of this.#pending) {
        if (this.#isNew(event)) snapshot = applyEvent(snapshot, event);
      }
      this.#set(snapshot);
      // Raised while no window was open (at start-up, in the tray): shown now.
      for (const notice of snapshot.notices ?? []) this.notify(notice);
    } catch (error) {
      this.loadError = messageOf(error);
    } finally {
      this.#pending = null;
    }
  }

  /** Stops listening (the window is going away). */
  stop(): void {
    this.#unlisten?.();
    this.#unlisten = null;
    if (this.#onVisibility && typeof document !== 'undefined') {
      document.removeEventListener('visibilitychange', this.#onVisibility);
    }
    this.#onVisibility = null;
    this.setHidden(false);
  }

  #watchVisibility(): void {
    if (this.#onVisibility || typeof document === 'undefined') return;
    const onVisibility = () => this.setHidden(document.visibilityState === 'hidden');
    this.#onVisibility = onVisibility;
    document.addEventListener('visibilitychange', onVisibility);
    onVisibility();
  }

  /**
   * Whether the window is hidden. While it is, position events are held (only the newest);
   * shown again, that one is applied at once.
   */
  setHidden(hidden: boolean): void {
    this.#hidden = hidden;
    if (hidden) return;
    const held = this.#heldPosition;
    this.#heldPosition = null;
    if (held && this.snapshot) this.#set(applyEvent(this.snapshot, held));
  }

  /**
   * Handles one event from the actor. Numbered events (`Published`) that the current snapshot
   * already contains are dropped, so a snapshot loaded while events arrive never steps back.
   */
  receive(event: PlayerEvent | Published): void {
    if (event.type === 'notice') {
      this.notify(event.payload);
      return;
    }
    if (this.#pending) {
      this.#pending.push(event);
    } else if (this.snapshot && this.#isNew(event)) {
      if (this.#hidden && event.type === 'position') {
        this.#heldPosition = event;
        return;
      }
      // A whole state carries the position too, and is newer than any held one.
      if (event.type === 'state') this.#heldPosition = null;
      this.#set(applyEvent(this.snapshot, event));
    }
  }

  /** The last position report, for a `Playhead` to follow (reactive: it reads the snapshot). */
  get anchor(): Anchor {
    const state = this.snapshot?.state;
    return {
      positionMs: state?.positionMs ?? 0,
      playing: state?.status === 'playing',
      atMs: this.#positionAt,
    };
  }

  /** Replaces the mirror, noting when the position (or whether it moves) changed. */
  #set(next: Snapshot): void {
    const before = this.snapshot?.state;
    if (before?.positionMs !== next.state.positionMs || before.status !== next.state.status) {
      this.#positionAt = performance.now();
    }
    this.snapshot = next;
  }

  /** True (and remembered) when `event` is newer than everything applied so far. */
  #isNew(event: PlayerEvent | Published): boolean {
    if (!('seq' in event)) return true;
    if (event.seq <= this.#seq) return false;
    this.#seq = event.seq;
    return true;
  }

  /** Replaces the mirror outright (used at start and by tests). */
  load(snapshot: Snapshot): void {
    this.#set(snapshot);
    this.#seq = snapshot.seq;
    this.loadError = null;
    // Raised while no window was open (at start-up, in the tray): shown now.
    for (const notice of snapshot.notices ?? []) this.notify(notice);
  }

  /** Shows a toast that goes away by itself after `TOAST_MS`. */
  notify(notice: ToastNotice): void {
    const id = this.#nextToastId++;
    const toasts = [...this.toasts, { id, notice, severity: severityOf(notice) }];
    for (const dropped of toasts.splice(0, Math.max(0, toasts.length - MAX_TOASTS))) {
      this.#clearTimer(dropped.id);
    }
    this.toasts = toasts;
    this.#timers.set(
      id,
      setTimeout(() => this.dismiss(id), TOAST_MS),
    );
  }

  dismiss(id: number): void {
    this.#clearTimer(id);
    if (this.toasts.some((t) => t.id === id)) {
      this.toasts = this.toasts.filter((t) => t.id !== id);
    }
  }

  /**
   * Runs a command for a user action. The outcome arrives as events, so all that is left to
   * do here is to tell the user when the command itself was rejected.
   */
  perform(action: () => Promise<unknown> | unknown): void {
    try {
      Promise.resolve(action()).catch((error: unknown) => this.reportError(error));
    } catch (error) {
      this.reportError(error);
    }
  }

  reportError(error: unknown): void {
    this.notify({ kind: 'commandFailed', reason: messageOf(error) });
  }

  /** Back to nothing: no snapshot, no toasts, no subscription. */
  reset(): void {
    this.stop();
    for (const id of this.#timers.keys()) this.#clearTimer(id);
    this.snapshot = null;
    this.loadError = null;
    this.toasts = [];
    this.#pending = null;
    this.#starting = null;
    this.#seq = 0;
    this.#heldPosition = null;
  }

  #clearTimer(id: number): void {
    const timer = this.#timers.get(id);
    if (timer !== undefined) clearTimeout(timer);
    this.#timers.delete(id);
  }
}

/** The one store of the window. */
export const player = new PlayerStore();
