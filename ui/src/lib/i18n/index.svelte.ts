// The i18n layer. The locale is not state of the UI: it is derived from the mirrored
// snapshot (`settings.locale`, or the OS's `systemLocale` when that is "system").
import type { LocalePreference } from '../ipc';
import { player } from '../player.svelte';
import { en, type MessageKey } from './en';
import { zhCN } from './zh-CN';

export type Locale = 'en' | 'zh-CN';
export type { MessageKey };
export type Params = Record<string, string | number>;

export const dictionaries: Record<Locale, Record<MessageKey, string>> = {
  en,
  'zh-CN': zhCN,
};

export const LOCALES: readonly Locale[] = ['en', 'zh-CN'];

/** Maps a BCP 47 tag from the OS to a locale we have: zh* → zh-CN, anything else → en. */
export function localeFromSystem(tag: string | null | undefined): Locale {
  return tag && /^zh(?:$|[-_.@])/i.test(tag.trim()) ? 'zh-CN' : 'en';
}

export function resolveLocale(preference: LocalePreference | null | undefined, systemLocale: string | null | undefined): Locale {
  if (preference === 'en' || preference === 'zh-CN') return preference;
  return localeFromSystem(systemLocale);
}

/** Fills `{name}` placeholders; unknown placeholders are left as they are. */
export function interpolate(template: string, params?: Params): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (match, name: string) =>
    Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : match,
  );
}

/** Pure translation, for a given locale. */
export function translate(locale: Locale, key: MessageKey, params?: Params): string {
  const template = dictionaries[locale][key] ?? en[key] ?? key;
  return interpolate(template, params);
}

function browserLocale(): string | undefined {
  return typeof navigator === 'undefined' ? undefined : navigator.language;
}

const current = $derived<Locale>(
  player.snapshot
    ? resolveLocale(player.snapshot.settings.locale, player.snapshot.systemLocale)
    : localeFromSystem(browserLocale()),
);

/** The locale in force (reactive). */
export function locale(): Locale {
  return current;
}

/** Translates `key` in the locale in force (reactive in templates and `$derived`). */
export function t(key: MessageKey, params?: Params): string {
  return translate(current, key, params);
}

type PluralBase<K> = K extends `${infer B}.one` ? B : never;
export type PluralKey = PluralBase<MessageKey>;

/** Plural-aware translation: picks `key.one` or `key.other`; `{count}` is filled in. */
export function tn(key: PluralKey, count: number, params?: Params): string {
  const rules = new Intl.PluralRules(current);
  const form = rules.select(count) === 'one' ? 'one' : 'other';
  const formatted = new Intl.NumberFormat(current).format(count);
  return translate(current, `${key}.${form}` as MessageKey, { count: formatted, ...params });
}
