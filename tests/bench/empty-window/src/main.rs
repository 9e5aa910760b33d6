//! An empty Tauri 2 window: the baseline Lyrebird's memory is compared with.

fn main() {
    tauri::Builder::default()
        .run(tauri::generate_context!())
        .expect("the empty window runs");
}
