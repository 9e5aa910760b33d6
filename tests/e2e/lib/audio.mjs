// Test audio: make tones with ffmpeg, record what reaches the PulseAudio null sink, and check
// what was heard.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

export const RATE = 44_100;

/** Write a stereo sine of `freq` Hz and `seconds` length, tagged, in the format `file` names. */
export function makeTone(file, { freq, seconds = 20, title, artist = 'E2E', album = 'Fixtures' }) {
  const src = `aevalsrc=0.5*sin(2*PI*${freq}*t)|0.5*sin(2*PI*${freq}*t):s=${RATE}:d=${seconds}`;
  const meta = { title, artist, album };
  const args = ['-y', '-v', 'error', '-f', 'lavfi', '-i', src];
  for (const [k, v] of Object.entries(meta)) if (v !== undefined) args.push('-metadata', `${k}=${v}`);
  execFileSync('ffmpeg', [...args, file]);
  return file;
}

/**
 * Write samples `[from, to)` of a continuous stereo sine (`freq` Hz, `seconds` long) to `file`,
 * sample-exactly: two adjacent parts are one sine cut in two.
 */
export function makeSinePart(file, { freq, seconds, from, to, title }) {
  const src = `aevalsrc=0.5*sin(2*PI*${freq}*t)|0.5*sin(2*PI*${freq}*t):s=${RATE}:d=${seconds}`;
  execFileSync('ffmpeg', [
    '-y', '-v', 'error', '-f', 'lavfi', '-i', src,
    '-af', `atrim=start_sample=${from}:end_sample=${to},asetpts=N/SR/TB`,
    '-metadata', `title=${title}`, file,
  ]);
  return file;
}

/** The largest step between neighbouring samples, and where it is (in seconds). */
export function largestStep(samples) {
  let step = 0;
  let at = 0;
  for (let i = 1; i < samples.length; i++) {
    const d = Math.abs(samples[i] - samples[i - 1]);
    if (d > step) {
      step = d;
      at = i / RATE;
    }
  }
  return { step, at };
}

/** Record the null sink's monitor into a WAV file until `stop()` is awaited. */
export function record(file) {
  const parec = spawn(
    'parec',
    ['-d', 'nullsink.monitor', '--file-format=wav', '--format=s16le', `--rate=${RATE}`, '--channels=2', file],
    { stdio: 'ignore' },
  );
  // A test that fails before stopping its recording must not keep the test run alive: the
  // recorder does not hold node's event loop open, and goes when the process does.
  parec.unref();
  process.once('exit', () => parec.kill());
  return {
    async stop() {
      parec.ref(); // waiting for it to finish the file keeps the test alive
      parec.kill('SIGINT');
      await new Promise((done) => (parec.exitCode !== null ? done() : parec.once('exit', done)));
      return readLeftChannel(file);
    },
  };
}

/** Left-channel samples (-1..1) of a 16-bit stereo WAV, tolerating a streaming header. */
export function readLeftChannel(file) {
  const bytes = readFileSync(file);
  const data = bytes.indexOf('data') + 8;
  const frames = Math.floor((bytes.length - data) / 4);
  const out = new Float32Array(frames);
  for (let i = 0; i < frames; i++) out[i] = bytes.readInt16LE(data + i * 4) / 32768;
  return out;
}

/** The stretch of `samples` louder than `threshold`, as a subarray (empty if silent). */
export function audible(samples, threshold = 0.05) {
  let first = -1;
  let last = -1;
  for (let i = 0; i < samples.length; i++) {
    if (Math.abs(samples[i]) > threshold) {
      if (first < 0) first = i;
      last = i;
    }
  }
  return first < 0 ? samples.subarray(0, 0) : samples.subarray(first, last + 1);
}

/**
 * The longest stretch of `samples` without a silence of `gap` samples or more. A starved
 * machine can drop out for a moment (an under-run); that says nothing about what was played.
 */
export function longestSound(samples, { threshold = 0.01, gap = 64 } = {}) {
  let best = [0, 0];
  let start = -1;
  let quiet = 0;
  for (let i = 0; i <= samples.length; i++) {
    const loud = i < samples.length && Math.abs(samples[i]) > threshold;
    if (loud) {
      if (start < 0) start = i;
      quiet = 0;
    } else if (start >= 0 && (++quiet >= gap || i === samples.length)) {
      const end = i - quiet + 1;
      if (end - start > best[1] - best[0]) best = [start, end];
      start = -1;
      quiet = 0;
    }
  }
  return samples.subarray(best[0], best[1]);
}

/** Power of one frequency in `samples` (Goertzel), normalised by length. */
export function powerAt(samples, freq) {
  const k = (2 * Math.cos((2 * Math.PI * freq) / RATE));
  let s1 = 0;
  let s2 = 0;
  for (const x of samples) {
    const s0 = x + k * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return (s1 * s1 + s2 * s2 - k * s1 * s2) / (samples.length * samples.length);
}

/** Frequency from rising zero crossings, interpolated. */
export function dominantFrequency(samples) {
  const crossings = [];
  for (let i = 1; i < samples.length; i++) {
    if (samples[i - 1] < 0 && samples[i] >= 0) {
      crossings.push(i - 1 + samples[i - 1] / (samples[i - 1] - samples[i]));
    }
  }
  if (crossings.length < 2) return 0;
  return (RATE * (crossings.length - 1)) / (crossings.at(-1) - crossings[0]);
}

/**
 * Write a stereo chirp whose frequency rises linearly, `from` Hz at 0 s by `slope` Hz per
 * second, so the pitch heard tells where in the track playback is.
 */
export function makeChirp(file, { seconds, from = 200, slope = 40, title }) {
  const phase = `(${from}*t+${slope / 2}*t*t)`;
  const src = `aevalsrc=0.5*sin(2*PI*${phase})|0.5*sin(2*PI*${phase}):s=${RATE}:d=${seconds}`;
  execFileSync('ffmpeg', ['-y', '-v', 'error', '-f', 'lavfi', '-i', src, '-metadata', `title=${title}`, file]);
  return file;
}

/** Stretches of sound separated by at least `gapSeconds` of silence, as [start, end) indexes. */
export function soundRuns(samples, { threshold = 0.05, gapSeconds = 0.3 } = {}) {
  const gap = Math.round(gapSeconds * RATE);
  const runs = [];
  let start = -1;
  let lastLoud = -1;
  for (let i = 0; i < samples.length; i++) {
    if (Math.abs(samples[i]) > threshold) {
      if (start < 0) start = i;
      else if (i - lastLoud > gap) {
        runs.push([start, lastLoud + 1]);
        start = i;
      }
      lastLoud = i;
    }
  }
  if (start >= 0) runs.push([start, lastLoud + 1]);
  return runs;
}
