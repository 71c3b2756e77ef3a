//! Helpers shared by the end-to-end tests.

use std::path::Path;

/// Real English text: the specs beside the OLMo-ladder data, as absolute paths in name order.
pub fn text_files() -> Vec<String> {
    let data = ladder_io::olmo::default_data_dir(Path::new(env!("CARGO_MANIFEST_DIR")));
    let mut files: Vec<String> = std::fs::read_dir(data.join("../docs"))
        .expect("../shared/docs")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .map(|p| std::path::absolute(p).expect("absolute path").display().to_string())
        .collect();
    files.sort();
    files
}

/// Writes `dir/tiny.toml` (creating `dir`): tokenizer `tokenizer`, windows of 32, `evals`
/// evaluations, WORK and OUT in `dir`, training on `data`, with the rung and target tables
/// `runs`; returns its path.
#[allow(dead_code)]
pub fn tiny_experiment(dir: &Path, tokenizer: &str, data: &[String], evals: u32, runs: &str) -> String {
    let data: Vec<String> = data.iter().map(|f| format!("{f:?}")).collect();
    let experiment = format!(
        "name = \"tiny\"\ndata = [{}]\ntokenizer = {tokenizer:?}\nseq_len = 32\nevals = {evals}\nwork = {:?}\nout = {:?}\n\n{runs}",
        data.join(", "),
        dir.join("work").display().to_string(),
        dir.join("out").display().to_string()
    );
    std::fs::create_dir_all(dir).unwrap();
    let file = dir.join("tiny.toml");
    std::fs::write(&file, experiment).unwrap();
    file.display().to_string()
}
