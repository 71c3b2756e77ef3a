//! Single-step prediction (method.md §6): the best optimum of a deterministic multi-start gives
//! the errors of the paper's `single_step_main.png`.

use std::path::Path;

use ladder_core::{olmo, Feature, TaskSet};
use ladder_fit::predict::{SingleStep, Target};

#[test]
fn single_step_errors_match_the_multistart_reference() {
    let data = olmo::default_data_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."));
    let ladder = olmo::load_ladder(&data, "final").unwrap();
    // (fit error %, |rel error| % at 7B-4T, at 13B-5T), method.md §6.
    let reference = [
        (0.40, 5.6, 7.1),
        (0.66, 0.5, 0.8),
        (1.61, 21.7, 22.6),
        (0.42, 6.1, 7.9),
        (0.51, 0.7, 0.6),
        (1.29, 2.3, 3.0),
        (0.53, 5.4, 6.8),
        // OpenBookQA is flat: the best optimum of the reference multi-start gives 9.2 / 5.0 %.
        (1.73, 9.2, 5.0),
    ];
    for (task, (fit_error, rel7, rel13)) in TaskSet::get("v2_main").unwrap().tasks.iter().zip(reference) {
        let fit = SingleStep::paper().fit(&ladder, task).unwrap();
        let rel = |name: &str| {
            let entry = ladder.entry(name).unwrap();
            let t = Target::of(entry);
            let actual = Target::observed(entry, task, Feature::RcAcc, 5).unwrap();
            100.0 * ((fit.predict(t.n, t.d) - actual) / actual).abs()
        };
        let (r7, r13) = (rel("7B-4T"), rel("13B-5T"));
        // The reference values are rounded to 0.01 (fit) and 0.1 (errors) percentage points;
        // OpenBookQA's flat objective allows ~5e-3 on the prediction, i.e. ~1 point here.
        let tol = if task.key.starts_with("openbookqa") { 0.5 } else { 0.06 };
        let summary = format!("{}: fit {:.3}% 7B {r7:.3}% 13B {r13:.3}% (start {})", task.key, 100.0 * fit.fit.fit_error, fit.fit.start);
        assert!((100.0 * fit.fit.fit_error - fit_error).abs() < 0.006, "{summary}");
        assert!((r7 - rel7).abs() < tol && (r13 - rel13).abs() < tol, "{summary}");
        // The default p0 alone is not enough for every task: the multi-start matters.
        assert!(fit.fit.start > 0, "{summary}");
    }
}
