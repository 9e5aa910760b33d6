//! Play files through the audio thread and print every event with the time it arrived.
//! `cargo run -p lyrebird-audio --example play -- FILE...`
//! With `LYREBIRD_UNWATCHED=1`, plays as the app does with no window open (the audio thread
//! wakes and reports less often).

use std::time::Instant;

use lyrebird_core::AudioCommand;
use lyrebird_core::audio::{AudioEvent, AudioOutput};
use lyrebird_core::provider::Playable;

fn main() {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let (audio, thread) = lyrebird_audio::spawn(tx);
    let start = Instant::now();
    if std::env::var_os("LYREBIRD_UNWATCHED").is_some() {
        audio.send(AudioCommand::SetWatched(false));
    }
    for (play_id, path) in std::env::args_os().skip(1).enumerate() {
        let play_id = lyrebird_core::PlayId(play_id as u64 + 1);
        audio.send(AudioCommand::Load {
            play_id,
            media: Playable::File(path.into()),
            start_ms: 0,
            paused: false,
            gain: 1.0,
        });
        while let Some(event) = rx.blocking_recv() {
            println!("{:>8.3} s  {event:?}", start.elapsed().as_secs_f64());
            if matches!(event, AudioEvent::Ended { .. } | AudioEvent::Failed { .. }) {
                break;
            }
        }
    }
    audio.send(AudioCommand::Shutdown);
    thread.join().unwrap();
}
