//! The harness end to end on models whose log-probabilities are known or checkable: a model with
//! a zero LM head (every token has probability 1/V), the prefix cache against the full forward
//! pass, and the OLMo-ladder export read back by the importer.

use burn::module::Param;
use burn::prelude::*;
use ladder_data::tasks::{Choice, Question, TaskRequests};
use ladder_data::ByteTokenizer;
use ladder_eval::{columns, evaluate_task, export, CacheLevel, EvalRow, Scorer, ScorerConfig};
use ladder_model::{Model, ModelConfig};
use ladder_schedule::ModelShape;

const SHOTS: &str = "Question: Which is a colour?\nAnswer: red\n\nQuestion: Which is a number?\nAnswer: seven\n\n";

fn task(name: &str) -> TaskRequests {
    let question = |i: usize, q: &str, answers: &[&str], gold| Question {
        doc_id: i as u64,
        native_id: format!("q{i}"),
        choices: answers
            .iter()
            .map(|a| Choice { context: format!("{SHOTS}Question: {q}\nAnswer:"), continuation: format!(" {a}") })
            .collect(),
        gold,
    };
    TaskRequests {
        name: name.to_string(),
        questions: vec![
            question(0, "Which is an animal?", &["a cat", "a stone", "hydrogen"], 0),
            question(1, "Which is a planet?", &["Mars", "a spoon"], 1),
            question(2, "Which grows?", &["trees", "rocks", "ice", "glass"], 2),
        ],
    }
}

fn model(seed: u64) -> (Model, ModelShape) {
    let shape = ModelShape { d_model: 32, n_layers: 2, n_heads: 2, mlp_inner: 64, vocab: 258, seq_len: 512 };
    (ModelConfig::from_shape(&shape).init(&Device::flex(), seed), shape)
}

/// With a zero LM head every token has log-probability −ln V, so S = −(tokens)·ln V and every
/// metric follows by hand: bytes are tokens here, so per character every choice scores
/// −ln V · (k+1)/k for k characters after the space — the longest choice wins len_norm, the
/// shortest wins acc.
#[test]
fn metrics_of_a_uniform_model_match_the_hand_computation() {
    let (mut m, shape) = model(1);
    let device = Device::flex();
    m.lm_head.weight = Param::from_tensor(Tensor::zeros([shape.d_model, shape.vocab], &device));
    let t = task("uniform_val_rc_5shot");
    let scorer = Scorer::new(&m, device, ScorerConfig::default());
    let r = evaluate_task(&t, &ByteTokenizer, &scorer, 512, &mut |_| {});
    let ln_v = (shape.vocab as f64).ln();
    let mut by_hand = Vec::new();
    for q in &t.questions {
        let k: Vec<f64> = q.choices.iter().map(|c| (c.continuation.len() - 1) as f64).collect();
        let raw: Vec<f64> = k.iter().map(|k| -(k + 1.0) * ln_v).collect();
        let per_char: Vec<f64> = k.iter().zip(&raw).map(|(k, s)| s / k).collect();
        let first_max = |v: &[f64]| (0..v.len()).fold(0, |b, i| if v[i] > v[b] { i } else { b });
        let lse = per_char.iter().map(|s| s.exp()).sum::<f64>().ln();
        let g = q.gold;
        by_hand.push([
            f64::from(u8::from(first_max(&raw) == g)),
            f64::from(u8::from(first_max(&per_char) == g)),
            (k[g] + 1.0) * ln_v / k[g] * std::f64::consts::LOG2_E,
            per_char[g] - lse,
        ]);
    }
    for (q, hand) in r.questions.iter().zip(&by_hand) {
        let got = [q.acc, q.len_norm, q.bpb, q.soft_log];
        for (a, b) in got.iter().zip(hand) {
            assert!((a - b).abs() < 1e-5, "{got:?} vs {hand:?}");
        }
    }
    // Raw sums pick the shortest choice, per character the longest (ties: the first): gold
    // " a cat" is shortest of question 0, " a spoon" longest of question 1, " ice" shortest of 2.
    assert_eq!(r.questions.iter().map(|q| (q.acc, q.len_norm)).collect::<Vec<_>>(), vec![(1.0, 0.0), (0.0, 1.0), (1.0, 0.0)]);
    assert_eq!(r.metrics.accuracy(), 1.0 / 3.0);
}

/// Scoring with the shared prefix cached, and with each question's context cached on top of
/// it, equals scoring every request from position 0; also for zero-shot questions, which share
/// only their own context.
#[test]
fn prefix_and_question_caches_equal_the_full_forward_pass() {
    let (m, _) = model(5);
    let device = Device::flex();
    let run = |t: &TaskRequests, cache| {
        let scorer = Scorer::new(&m, device.clone(), ScorerConfig { cache, max_activations: 20_000 });
        evaluate_task(t, &ByteTokenizer, &scorer, 512, &mut |_| {})
    };
    let mut zero_shot = task("micro_cloze_x_rc_0shot");
    for q in &mut zero_shot.questions {
        for c in &mut q.choices {
            c.context = c.context.replace(SHOTS, "");
        }
    }
    for t in [task("cache_val_rc_5shot"), zero_shot] {
        let full = run(&t, CacheLevel::None);
        assert_eq!(full.cached, 0);
        for level in [CacheLevel::Task, CacheLevel::Question] {
            let cached = run(&t, level);
            if level == CacheLevel::Question || t.name.contains("5shot") {
                assert_eq!(cached.cached, cached.requests, "{level:?}");
                assert!(cached.tokens_run < full.tokens_run * 2 / 3, "{level:?}: {} vs {}", cached.tokens_run, full.tokens_run);
            }
            for (a, b) in cached.questions.iter().zip(&full.questions) {
                assert!((a.bpb - b.bpb).abs() < 1e-5 && (a.soft_log - b.soft_log).abs() < 1e-5, "{level:?}: {a:?} vs {b:?}");
                assert_eq!((a.acc, a.len_norm), (b.acc, b.len_norm));
            }
        }
        // The question cache runs fewer tokens than the task cache alone.
        assert!(run(&t, CacheLevel::Question).tokens_run < run(&t, CacheLevel::Task).tokens_run);
    }
}

/// Our evaluated checkpoints, exported as an OLMo-ladder run CSV and config, come back through
/// the importer with the same steps, tokens and values.
#[test]
fn export_round_trips_through_the_olmo_importer() {
    let (m, _) = model(9);
    let device = Device::flex();
    let scorer = Scorer::new(&m, device, ScorerConfig::default());
    let result = evaluate_task(&task("piqa_val_rc_5shot"), &ByteTokenizer, &scorer, 512, &mut |_| {});
    let dir = std::env::temp_dir().join(format!("ladder-eval-export-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("ladder-runs")).unwrap();
    std::fs::create_dir_all(dir.join("configs")).unwrap();
    let rows: Vec<EvalRow> = (1..=3u64)
        .map(|s| {
            let mut values = columns::task_columns(&result);
            values.iter_mut().for_each(|(_, v)| *v += s as f64 / 7.0);
            values.push((columns::heldout_column("wiki"), 3.0 + 1.0 / s as f64));
            EvalRow { step: s * 10, tokens: s * 10 * 3072, values }
        })
        .collect();
    export::write_run_csv(&dir.join("ladder-runs/u100k-1xC.csv"), &rows, 3072).unwrap();
    let config = serde_json::json!({ "u100k": ladder_io::olmo::ConfigEntry::json(&["u100k-1xC.csv".to_string()], ladder_core::Mode::Train, 98848.0, 700_000.0) });
    std::fs::write(dir.join("configs/own.json"), config.to_string()).unwrap();
    let ladder = ladder_io::olmo::load_ladder(&dir, "own").unwrap();
    let entry = &ladder.entries[0];
    assert_eq!((entry.name.as_str(), entry.n), ("u100k", 98848.0));
    let run = &entry.runs[0];
    let checkpoints = &run.checkpoints;
    assert_eq!(checkpoints.tokens, vec![30720.0, 61440.0, 92160.0]);
    for (name, value) in &rows[1].values {
        let column = checkpoints.metrics.iter().find(|(c, _)| c == name).unwrap_or_else(|| panic!("{name} missing"));
        assert_eq!(column.1[1], *value, "{name}");
    }
    assert!(checkpoints.metrics.iter().any(|(c, _)| c == "eval/downstream/piqa_val_rc_5shot_len_norm"));
    // A row without one of the metrics cannot be exported.
    let mut ragged = rows.clone();
    ragged[2].values.pop();
    let err = export::write_run_csv(&dir.join("bad.csv"), &ragged, 3072).unwrap_err().to_string();
    assert!(err.contains("step 30") && err.contains("wiki"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
