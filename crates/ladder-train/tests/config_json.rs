//! `config.json` is part of a run's identity: every committed run config reads back into a
//! `TrainConfig` and writes out as the same JSON, and a config of plain files keeps the keys it
//! always had.

use std::path::{Path, PathBuf};

use ladder_train::fingerprint::same_json;
use ladder_train::{TrainConfig, TrainData};

fn committed_run_configs() -> Vec<PathBuf> {
    let results = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../results");
    let mut found = Vec::new();
    let mut stack = vec![results];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.parent().is_some_and(|p| p.ends_with("run-configs"))
                && path.extension().is_some_and(|e| e == "json")
                && !path.to_string_lossy().contains("fingerprint")
            {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

#[test]
fn committed_run_configs_read_back_and_write_the_same_json() {
    let files = committed_run_configs();
    assert!(files.len() > 100, "only {} committed run configs found", files.len());
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let mut recorded: serde_json::Value = serde_json::from_str(&text).unwrap();
        let config: TrainConfig = serde_json::from_value(recorded.clone()).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(matches!(config.data, TrainData::Mix { .. }), "{}: committed ladders train on mixes", path.display());
        let written = serde_json::to_value(&config).unwrap();
        // Older mixes lack keys the Mix type has gained since (with defaults); those come from
        // the Mix type, not from how a config holds its data.
        let mix: ladder_data::Mix = serde_json::from_value(recorded["mix"].clone()).unwrap();
        recorded["mix"] = serde_json::to_value(mix).unwrap();
        assert!(same_json(&recorded, &written), "{}: {written}", path.display());
    }
}

#[test]
fn a_config_of_files_writes_data_files_no_mix_and_an_empty_cache() {
    let files = committed_run_configs();
    let config: TrainConfig = serde_json::from_str(&std::fs::read_to_string(&files[0]).unwrap()).unwrap();
    let config = config.to_builder().data(vec![PathBuf::from("a.jsonl"), PathBuf::from("b.txt")]).build().unwrap();
    let json = serde_json::to_value(&config).unwrap();
    assert_eq!(json["data_files"], serde_json::json!(["a.jsonl", "b.txt"]));
    assert_eq!((json["mix"].clone(), json["data_cache"].clone()), (serde_json::Value::Null, serde_json::json!("")));
    let keys: Vec<&String> = json.as_object().unwrap().keys().collect();
    assert_eq!(keys[..4], ["plan", "data_files", "mix", "data_cache"]);
    let back: TrainConfig = serde_json::from_value(json).unwrap();
    assert_eq!(back, config);
}

#[test]
fn a_config_json_that_cannot_run_is_refused_when_read() {
    let files = committed_run_configs();
    let good: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&files[0]).unwrap()).unwrap();
    let refused = |edit: &dyn Fn(&mut serde_json::Value), why: &str| {
        let mut json = good.clone();
        edit(&mut json);
        let err = serde_json::from_value::<TrainConfig>(json).unwrap_err().to_string();
        assert!(err.contains(why), "{why}: {err}");
    };
    refused(&|j| j["checkpoint_every"] = 0.into(), "checkpoint_every must be ≥ 1");
    refused(&|j| j["data_cache"] = "".into(), "needs the `data_cache`");
    refused(&|j| j["tokenizer"] = "bpe:64".into(), "name the tokenizer.json");
    refused(&|j| j["tokenizer"] = "sentencepiece".into(), "tokenizer \"sentencepiece\"");
}
