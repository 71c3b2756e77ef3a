//! An experiment's `bpe:<n>` tokenizer is trained once into WORK and reused only for the same
//! request: asking for another size (or mix) is an error, not a silent reuse.

use std::path::{Path, PathBuf};

use ladder_train::experiment::LadderExperiment;

fn text_files() -> Vec<PathBuf> {
    let data = ladder_io::olmo::default_data_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."));
    let mut files: Vec<PathBuf> = std::fs::read_dir(data.join("../docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    files.sort();
    files
}

#[test]
fn a_trained_tokenizer_is_reused_only_for_the_same_request() {
    let dir = std::env::temp_dir().join(format!("ladder-train-tokenizer-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let files: Vec<String> = text_files().iter().map(|f| format!("{:?}", std::path::absolute(f).unwrap().display().to_string())).collect();
    std::fs::write(dir.join("mix.toml"), format!("[[source]]\nname = \"docs\"\nweight = 1\nfiles = [{}]\n", files.join(", "))).unwrap();
    let experiment = |entries: usize| {
        let path = dir.join(format!("e{entries}.toml"));
        std::fs::write(
            &path,
            format!(
                "name = \"t\"\nmix = \"mix.toml\"\ntokenizer = \"bpe:{entries}\"\ntokenizer_sample_bytes = 200000\nwork = {:?}\nout = {:?}\n\n[[rung]]\nsize = \"u25k\"\nmultipliers = [0.05]\n",
                dir.join("work").display().to_string(),
                dir.join("out").display().to_string()
            ),
        )
        .unwrap();
        LadderExperiment::load(&path).unwrap()
    };
    assert!(experiment(300).prepare_tokenizer().unwrap(), "trained the first time");
    assert!(!experiment(300).prepare_tokenizer().unwrap(), "reused for the same request");
    let err = experiment(400).prepare_tokenizer().unwrap_err().to_string();
    assert!(err.contains("tokenizer.json was trained for") && err.contains("bpe:400"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
