//! Helpers shared by the end-to-end tests.

use std::path::Path;

/// Real English text: the specs beside the OLMo-ladder data, as absolute paths in name order.
pub fn text_files() -> Vec<String> {
    let data = ladder_core::olmo::default_data_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."));
    let mut files: Vec<String> = std::fs::read_dir(data.join("../docs"))
        .expect("../shared/docs")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .map(|p| std::path::absolute(p).expect("absolute path").display().to_string())
        .collect();
    files.sort();
    files
}
