mod interfaces;

mod controls;
pub use controls::MediaControls;
