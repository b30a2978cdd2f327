//! The integration tests: one test binary, one module per area, and the helpers they share in
//! [`support`] (sites to copy and edit, building, serving, reading the output).
//!
//! Run one area with a filter on its module path, e.g. `cargo test --test it golden::` or
//! `cargo test --test it serve::`.

mod support;

mod browser;
mod build_output;
mod calendar;
mod calendar_attacks;
mod calendar_links;
mod content_safety;
mod errors;
mod golden;
mod incremental;
mod journey_log;
mod layout;
mod messages;
mod minify;
mod never_panics;
mod new;
mod output_safety;
mod photos;
mod print;
mod private;
mod private_attacks;
mod private_browser;
mod search;
mod serve;
mod session_agrees;
mod sources;
mod words;
