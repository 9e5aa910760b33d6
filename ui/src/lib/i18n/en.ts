// English. Every user-facing string of the UI lives here and in zh-CN.ts, with the same keys.
// `{name}` placeholders are filled in by `t(key, params)`; keys ending in `.one` / `.other`
// are plural forms picked by `tn(key, count)`.
export const en = {
  'app.name': 'Lyrebird',
  'app.loading': 'Loading…',
  'app.loadFailed': 'Could not reach the player: {reason}',
  'app.retry': 'Try again',

  'nav.label': 'Sections',
  'nav.library': 'Library',
  'nav.settings': 'Settings',

  'library.title': 'Library',
  'library.count.one': '{count} track',
  'library.count.other': '{count} tracks',
  'library.scanning': 'Scanning…',
  'library.emptyTitle': 'No music yet',
  'library.emptyBody': 'Tracks found in your music folders will appear here.',
  'library.listLabel': 'Tracks',
  'library.colNumber': '#',
  'library.colTitle': 'Title',
  'library.colArtist': 'Artist',
  'library.colAlbum': 'Album',
  'library.colDuration': 'Time',
  'library.playTrack': 'Play {title}',
  'library.nowPlaying': 'Now playing',
  'library.paused': 'Paused',

  'track.unknownArtist': 'Unknown artist',
  'track.untitled': 'Untitled',

  'player.label': 'Player',
  'player.nothingPlaying': 'Nothing playing',
  'player.play': 'Play',
  'player.pause': 'Pause',
  'player.loading': 'Loading',
  'player.previous': 'Previous',
  'player.next': 'Next',
  'player.seek': 'Position',
  'player.seekValue': '{elapsed} of {total}',
  'player.volume': 'Volume',
  'player.volumeValue': '{percent}%',
  'player.cover': 'Cover of {album}',

  'device.unavailable': 'No audio output device: {reason}',
  'device.retry': 'Retry',

  'notice.region': 'Notifications',
  'notice.dismiss': 'Dismiss',
  'notice.cannotPlay': 'Cannot play {name}: {reason}',
  'notice.allTracksFailed': 'None of the tracks in the queue could be played.',
  'notice.noAudioDevice': 'No audio output device: {reason}',
  'notice.audioDeviceRestored': 'Audio output is available again.',
  'notice.settingsReset':
    'Settings could not be read ({reason}); defaults are in use, the old file was kept as {keptAs}',
  'notice.settingsNotSaved': 'Settings could not be saved: {reason}',
  'notice.nothingToPlay': 'Nothing to play in {path}',
  'notice.commandFailed': 'Something went wrong: {reason}',

  'settings.title': 'Settings',
  'settings.language': 'Language',
  'settings.languageHint': 'Follow system uses the language of your operating system, currently {language}.',
  'settings.localeSystem': 'Follow system',
  'settings.localeEn': 'English',
  'settings.localeZhCN': '简体中文',
} as const;

export type MessageKey = keyof typeof en;
