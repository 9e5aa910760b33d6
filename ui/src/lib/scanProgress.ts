// What the progress bar of a running library scan says.
import type { ScanProgress } from './ipc/bindings/ScanProgress';
import { locale, t } from './i18n/index.svelte';

/** Files read of files to read; while the folders are still being listed, of those found so
 *  far (the total grows). */
export function scanProgressLabel(scan: ScanProgress): string {
  const format = new Intl.NumberFormat(locale());
  const counts = { done: format.format(scan.done), total: format.format(scan.total) };
  return t(scan.counting ? 'library.scanProgressCounting' : 'library.scanProgress', counts);
}
