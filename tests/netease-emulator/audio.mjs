// Audio the emulator's song URLs serve: a sine tone per song (its frequency tells songs apart),
// as WAV made here, turned into MP3 or FLAC by ffmpeg when it is on PATH. Files are cached in
// the state directory.

import fs from 'node:fs'
import path from 'node:path'
import { spawnSync } from 'node:child_process'

let ffmpegPresent
export function hasFfmpeg() {
  if (ffmpegPresent === undefined) {
    const r = spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' })
    ffmpegPresent = r.status === 0
  }
  return ffmpegPresent
}

/** 16-bit mono PCM WAV of a sine tone. */
export function sineWav(hz, seconds, sampleRate = 22050) {
  const n = Math.round(seconds * sampleRate)
  const data = Buffer.alloc(n * 2)
  for (let i = 0; i < n; i++) {
    // A short fade in and out so there are no clicks.
    const fade = Math.min(1, i / 200, (n - i) / 200)
    data.writeInt16LE(Math.round(Math.sin((2 * Math.PI * hz * i) / sampleRate) * 12000 * fade), i * 2)
  }
  const h = Buffer.alloc(44)
  h.write('RIFF', 0)
  h.writeUInt32LE(36 + data.length, 4)
  h.write('WAVE', 8)
  h.write('fmt ', 12)
  h.writeUInt32LE(16, 16)
  h.writeUInt16LE(1, 20) // PCM
  h.writeUInt16LE(1, 22) // mono
  h.writeUInt32LE(sampleRate, 24)
  h.writeUInt32LE(sampleRate * 2, 28)
  h.writeUInt16LE(2, 32)
  h.writeUInt16LE(16, 34)
  h.write('data', 36)
  h.writeUInt32LE(data.length, 40)
  return Buffer.concat([h, data])
}

/** The file type a level can be served as here: mp3/flac with ffmpeg, else wav. */
export function servedType(wanted) {
  return hasFfmpeg() ? wanted : 'wav'
}

/**
 * The path of the audio file `name` (`<id>-<level>[-trial].<ext>`) in `dir`, made on first
 * use: `hz` for `seconds`, as `ext`.
 */
export function audioFile(dir, name, { hz, seconds, ext, sampleRate, bitrate }) {
  fs.mkdirSync(dir, { recursive: true })
  const file = path.join(dir, name)
  if (fs.existsSync(file)) return file
  const wav = sineWav(hz, seconds, sampleRate)
  const tmp = `${file}.${process.pid}.tmp`
  if (ext === 'wav') {
    fs.writeFileSync(tmp, wav)
  } else {
    const src = `${file}.${process.pid}.src.wav`
    fs.writeFileSync(src, wav)
    const args = ['-hide_banner', '-loglevel', 'error', '-y', '-i', src]
    if (ext === 'mp3') args.push('-b:a', `${Math.min(320, Math.round(bitrate / 1000))}k`)
    args.push('-f', ext, tmp)
    const r = spawnSync('ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] })
    fs.rmSync(src, { force: true })
    if (r.status !== 0) throw new Error(`ffmpeg failed: ${r.stderr}`)
  }
  fs.renameSync(tmp, file)
  return file
}

export const CONTENT_TYPES = { mp3: 'audio/mpeg', flac: 'audio/flac', wav: 'audio/wav' }
