//! Embeds the built-in theme and the `init` starter site into the binary, so `hundred init` and
//! `hundred build` work anywhere with no other files. Each embedded folder becomes a sorted
//! `&[(relative path, bytes)]` table; sorting keeps the generated code (and so builds)
//! reproducible.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let mut code = String::new();
    for (name, dir) in [("THEME_DEFAULT", "themes/default"), ("STARTER", "starter")] {
        let root = manifest.join(dir);
        println!("cargo:rerun-if-changed={}", root.display());
        let mut files = Vec::new();
        collect(&root, &root, &mut files);
        files.sort();
        writeln!(code, "pub static {name}: &[(&str, &[u8])] = &[").unwrap();
        for rel in files {
            let abs = root.join(&rel);
            println!("cargo:rerun-if-changed={}", abs.display());
            writeln!(
                code,
                "    ({rel:?}, include_bytes!({:?})),",
                abs.display().to_string()
            )
            .unwrap();
        }
        writeln!(code, "];").unwrap();
    }
    let out = PathBuf::from(env::var("OUT_DIR").unwrap()).join("embedded.rs");
    fs::write(out, code).unwrap();
}

fn collect(root: &Path, dir: &Path, files: &mut Vec<String>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        println!("cargo:rerun-if-changed={}", path.display());
        if path.is_dir() {
            collect(root, &path, files);
        } else {
            let rel = path.strip_prefix(root).unwrap();
            let rel = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>();
            files.push(rel.join("/"));
        }
    }
}
