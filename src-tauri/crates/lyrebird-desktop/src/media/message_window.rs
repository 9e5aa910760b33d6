//! A hidden message-only window (`HWND_MESSAGE`) for SMTC, which is registered for a window
//! and lives as long as it does. Lyrebird destroys its main window when it closes to the
//! tray, so the media-control thread keeps this one: never shown, not in the task bar or
//! Alt+Tab, receiving no broadcasts. Its thread waits in the message loop (so whatever the
//! system sends the window is answered) and is woken by a thread message when the mirror's
//! channel has something: no polling.

// Win32 calls are `unsafe`; each one below is a plain call with values from this module, and
// says why it is sound. (The workspace denies `unsafe_code`; this is one of its two places.)
#![allow(unsafe_code)]

use windows::Win32::Foundation::{HWND, LPARAM, WPARAM};
use windows::Win32::System::Threading::GetCurrentThreadId;
use windows::Win32::UI::WindowsAndMessaging::{
    CreateWindowExW, DestroyWindow, DispatchMessageW, GetMessageW, HWND_MESSAGE, MSG,
    PostThreadMessageW, WINDOW_EX_STYLE, WINDOW_STYLE, WM_APP, WM_QUIT,
};
use windows::core::w;

/// The thread message that means "the channel has something".
const WAKE: u32 = WM_APP;

/// The window, owned by the thread that made it (`HWND` is not `Send`: a window must be
/// destroyed by its own thread).
pub struct MessageWindow {
    hwnd: HWND,
    thread: u32,
}

impl MessageWindow {
    /// Make the window on the calling thread (which must then run [`MessageWindow::run`]).
    pub fn new() -> Result<Self, String> {
        // SAFETY: "STATIC" is a system class, so no window procedure of ours is involved; the
        // strings are static and NUL-terminated (`w!`); every other argument is a plain value.
        let hwnd = unsafe {
            CreateWindowExW(
                WINDOW_EX_STYLE(0),
                w!("STATIC"),
                w!("Lyrebird media controls"),
                WINDOW_STYLE(0),
                0,
                0,
                0,
                0,
                Some(HWND_MESSAGE),
                None,
                None,
                None,
            )
        }
        .map_err(|e| format!("no window for the media controls: {e}"))?;
        // SAFETY: no arguments; it reads the calling thread's id.
        let thread = unsafe { GetCurrentThreadId() };
        Ok(Self { hwnd, thread })
    }

    /// The handle, as souvlaki's `PlatformConfig` takes it.
    pub fn hwnd(&self) -> *mut std::ffi::c_void {
        self.hwnd.0
    }

    /// What wakes [`MessageWindow::run`] (and ends it), from any thread.
    pub fn waker(&self) -> Waker {
        Waker {
            thread: self.thread,
        }
    }

    /// Answer the window's messages, calling `woken` for each wake-up, until
    /// [`Waker::quit`].
    #[allow(clippy::unused_self)] // it runs on the window's thread, while the window lives
    pub fn run(&self, mut woken: impl FnMut()) {
        let mut message = MSG::default();
        loop {
            // SAFETY: `message` is a valid `MSG` to write into; no window filter.
            let got = unsafe { GetMessageW(&raw mut message, None, 0, 0) };
            // 0: WM_QUIT; -1: an error (only for invalid arguments).
            if got.0 == 0 || got.0 == -1 {
                return;
            }
            if message.hwnd.is_invalid() && message.message == WAKE {
                woken();
            } else {
                // SAFETY: `message` was filled in by `GetMessageW` just now.
                unsafe { DispatchMessageW(&raw const message) };
            }
        }
    }
}

impl Drop for MessageWindow {
    fn drop(&mut self) {
        // SAFETY: the window was made by this thread (`MessageWindow` is not `Send`) and is
        // destroyed once.
        let _ = unsafe { DestroyWindow(self.hwnd) };
    }
}

/// Posts to the window's thread. Its id stays ours while the handle that holds this lives:
/// the thread ends only after [`Waker::quit`], which the handle sends when dropped.
#[derive(Clone, Copy, Debug)]
pub struct Waker {
    thread: u32,
}

impl Waker {
    pub fn wake(self) {
        self.post(WAKE);
    }

    pub fn quit(self) {
        self.post(WM_QUIT);
    }

    fn post(self, message: u32) {
        // SAFETY: plain values. A full queue (10 000 messages) refuses the post; the next
        // wake-up drains the channel all the same.
        let _ = unsafe { PostThreadMessageW(self.thread, message, WPARAM(0), LPARAM(0)) };
    }
}
