//! The floor for the corpus benchmark: read every markdown file of a folder and render it with
//! pulldown-cmark alone (same options as hundred), in parallel, writing nothing.
//!
//!     cargo run --release --example render_floor -- DIR

use rayon::prelude::*;

fn main() {
    let dir = std::env::args().nth(1).expect("usage: render_floor DIR");
    let files: Vec<_> = std::fs::read_dir(&dir)
        .expect("a folder")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    let bytes: usize = files
        .par_iter()
        .map(|p| {
            let text = std::fs::read_to_string(p).expect("readable");
            hundred::markdown::to_html(&text).len()
        })
        .sum();
    println!("{} files, {} bytes of HTML", files.len(), bytes);
}
