//! Window commands: they change windows, not the player, so they talk to the window module
//! (the player is asked only for the settings the windows follow).

use lyrebird_core::{PlayerError, PlayerHandle};
use tauri::State;

use crate::desktop::window;

type Player<'a> = State<'a, PlayerHandle>;
type Done = Result<(), PlayerError>;

#[tauri::command]
#[allow(clippy::needless_pass_by_value)] // commands take their arguments by value
pub fn show_main_window<R: tauri::Runtime>(app: tauri::AppHandle<R>) {
    window::show_main(&app);
}

#[tauri::command]
pub async fn open_mini_player<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    player: Player<'_>,
) -> Done {
    let on_top = player.settings().await?.desktop.mini_always_on_top;
    window::show_mini(&app, on_top);
    Ok(())
}

#[tauri::command]
#[allow(clippy::needless_pass_by_value)] // commands take their arguments by value
pub fn close_mini_player<R: tauri::Runtime>(app: tauri::AppHandle<R>) {
    window::close(&app, window::MINI);
}

#[tauri::command]
pub async fn set_desktop_lyrics<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    player: Player<'_>,
    on: bool,
) -> Done {
    let click_through = player.settings().await?.desktop.lyrics_click_through;
    window::set_desktop_lyrics(&app, on, click_through);
    Ok(())
}
