//! Test servers: a fake one on loopback and the real supysonic. Each test file uses a part.
#![allow(dead_code)]

pub mod fake;
pub mod supysonic;
