//! A micro task measures what a model has learnt: on text from a known bigram language, a tiny
//! model trained (through the trainer, with the task in the loop) on a mix that leaves the
//! reserved documents out scores well above chance on the cloze task built from those documents,
//! while the same model freshly initialised sits at chance.

use std::path::{Path, PathBuf};

use burn::prelude::*;
use ladder_core::rng::SplitMix64;
use ladder_data::micro::{self, MicroSpec, Reserve};
use ladder_data::{BpeTokenizer, Mix, MixSource, Tokenizer, TokenizerSpec};
use ladder_eval::{evaluate_task, Scorer, ScorerConfig};
use ladder_model::ModelConfig;
use ladder_schedule::{EvalCadence, LadderRules, ModelShape, RunPlan, Size};
use ladder_train::{TaskEvalConfig, TrainConfig, TrainData, Trainer};

const WORDS: usize = 40;

/// Documents of a bigram language: each word is followed by one of its two successors with
/// probability 0.9, by any word otherwise; every word about equally frequent.
fn bigram_documents(count: usize) -> Vec<String> {
    let syllables: Vec<String> = "bdfgklmnprst".chars().flat_map(|c| "aeiou".chars().map(move |v| format!("{c}{v}"))).collect();
    let words: Vec<String> = (0..WORDS).map(|i| format!("{}{}", syllables[i], syllables[(i * 7 + 3) % syllables.len()])).collect();
    let mut rng = SplitMix64::new(17, 0);
    (0..count)
        .map(|_| {
            let mut w = rng.below(WORDS);
            let mut text = Vec::with_capacity(60);
            for _ in 0..60 {
                text.push(words[w].as_str());
                let u = rng.next_f64();
                w = if u < 0.45 {
                    (w * 7 + 1) % WORDS
                } else if u < 0.9 {
                    (w * 11 + 3) % WORDS
                } else {
                    rng.below(WORDS)
                };
            }
            text.join(" ")
        })
        .collect()
}

fn write_jsonl(path: &Path, docs: &[String]) {
    let text: String = docs.iter().map(|d| format!("{}\n", serde_json::json!({ "text": d }))).collect();
    std::fs::write(path, text).unwrap();
}

#[test]
fn a_trained_model_beats_chance_on_a_micro_task_and_a_fresh_one_does_not() {
    let root = std::env::temp_dir().join(format!("ladder-train-micro-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    let docs = bigram_documents(8000);
    let corpus: PathBuf = root.join("bigram.jsonl");
    write_jsonl(&corpus, &docs);
    // The cloze task from the reserved documents, with the split the mix leaves out.
    let spec = MicroSpec { reserve: Reserve::STANDARD, questions: 300, seed: 0 };
    let built = micro::build_source(&root, "bigram", "-", &docs, spec).unwrap();
    assert_eq!(built.tasks[0].questions, 300);
    assert!((built.tasks[0].unigram_accuracy - 0.25).abs() < 0.08, "{:?}", built.tasks[0]);
    let label = built.tasks[0].label.clone();

    let bpe = BpeTokenizer::train(docs[..500].iter().map(String::as_str), 320).unwrap();
    let tokenizer_path = root.join("tokenizer.json");
    bpe.save(&tokenizer_path).unwrap();
    let shape = ModelShape { d_model: 32, n_layers: 2, n_heads: 2, mlp_inner: 128, vocab: 320, seq_len: 64 };
    let size = Size { name: "bigram", aliases: &[], shape: shape.clone(), ladder_rung: true };
    let plan = RunPlan::new(&size, 0.5, &LadderRules::micro().with_seq_len(64), 3, EvalCadence::Count(2)).unwrap();
    let mix = Mix {
        sources: vec![MixSource { name: "bigram".into(), weight: 1.0, files: vec![corpus.clone()] }],
        validation_windows: 4,
        reserve_eval_documents: true,
    };
    let leaky_mix = Mix { reserve_eval_documents: false, ..mix.clone() };
    let config = TrainConfig::builder(plan, TrainData::Mix { mix, cache: root.join("cache") })
        .tokenizer(TokenizerSpec::File(tokenizer_path.clone()))
        .tasks(Some(TaskEvalConfig { tasks: label.clone(), limit: None, cache: root.clone() }));
    // Micro tasks without a reserving mix are refused.
    let leaky = config.clone().data(TrainData::Mix { mix: leaky_mix, cache: root.join("cache") });
    let err = leaky.build().unwrap_err().to_string();
    assert!(err.contains("reserve_eval_documents"), "{err}");
    let config = config.build().unwrap();

    let run = root.join("run");
    Trainer::new(config, &run, Device::flex()).unwrap().run(false, None, &mut ()).unwrap();
    // The realised mix is recorded beside the run, with each source's share of the weights.
    let mix: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(run.join("mix.json")).unwrap()).unwrap();
    assert_eq!(
        (mix[0]["source"].as_str(), mix[0]["share"].as_f64(), mix[0]["target_share"].as_f64()),
        (Some("bigram"), Some(1.0), Some(1.0)),
        "{mix}"
    );
    let column = format!("eval/downstream/{label}_len_norm");
    let evals = ladder_eval::log::read(&run.join("evals.csv")).unwrap();
    let trained = evals.last().unwrap().values.iter().find(|(c, _)| *c == column).map(|(_, v)| *v).unwrap();

    let fresh = ModelConfig::from_shape(&shape).init(&Device::flex(), 3);
    let task = micro::load(&root, &label).unwrap();
    let scorer = Scorer::new(&fresh, Device::flex(), ScorerConfig::default());
    let untrained = evaluate_task(&task, &bpe as &dyn Tokenizer, &scorer, 64, &mut |_| {}).metrics.accuracy();
    println!("cloze accuracy on 300 questions: fresh {untrained:.3}, trained {trained:.3} (chance 0.25)");
    // 300 questions: chance ± 0.075 is about three standard errors.
    assert!((untrained - 0.25).abs() < 0.075, "fresh model: {untrained}");
    assert!(trained > 0.45, "trained model: {trained} (fresh {untrained})");
    let _ = std::fs::remove_dir_all(&root);
}
