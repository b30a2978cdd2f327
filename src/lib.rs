//! `hundred`: a static-site generator for customer journeys.
//!
//! A build is a pipeline of plain data, each stage in its own module:
//! [`load`] (files → typed [`model`]) → [`check`] (cross-references) → [`plan`] (every output
//! file with the sources it depends on) → [`render`] (in parallel) → [`write`] (atomically).
//! The client portal and the internal site are rendered from different context types
//! ([`context::portal`], [`context::internal`]) so that internal data cannot reach a client.

pub mod build;
pub mod calendar_rules;
pub(crate) mod check;
pub mod cli;
pub mod config;
mod content_check;
pub(crate) mod context;
pub(crate) mod csv;
pub mod dates;
pub mod diagnostics;
pub mod eject;
mod engine;
pub(crate) mod entry_cache;
pub mod history;
pub(crate) mod ics;
pub(crate) mod init;
pub mod leftovers;
mod limits;
pub mod load;
pub mod markdown;
pub mod minify;
pub mod model;
pub mod pdf;
pub(crate) mod pdf_links;
pub(crate) mod pdf_outline;
pub(crate) mod pdf_pages;
pub mod photos;
pub mod plan;
pub mod portal_crypto;
pub mod private;
pub mod record;
pub(crate) mod render;
pub mod scaffold;
pub mod search;
pub mod search_cache;
pub(crate) mod serve;
pub mod session;
pub mod shell;
pub(crate) mod subscribe;
pub(crate) mod templates;
pub mod theme;
pub(crate) mod timing;
pub(crate) mod variables;
pub(crate) mod write;
