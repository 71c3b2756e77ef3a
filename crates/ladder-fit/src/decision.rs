//! Data-recipe decisions (DataDecide, Magnusson et al. 2025): how often a ranking of recipes
//! made cheaply picks the same order as the recipes' actual scores at the target scale, and how
//! much compute one recipe is worth over another.
//!
//! * [`decision_accuracy`]: over every pair of recipes, whether a ranking (a ladder's prediction
//!   at the target, or the single-scale baseline: the recipes' scores at one small rung) orders
//!   the pair as the target's actual scores do. A pair whose actual scores differ by less than
//!   the target's checkpoint noise is a **tie**: reported on its own and counted neither right
//!   nor wrong. Accuracy = right / (right + wrong).
//! * [`compute_multiplier`]: the factor k by which recipe B's compute must grow for its predicted
//!   score to equal recipe A's at the target (OLMo-core's effective-compute idea); k > 1: A is
//!   worth k× the compute of B.

use crate::design::FittedDesign;
use crate::predict::Target;

/// One recipe's score under a ranking and at the target.
#[derive(Debug, Clone, PartialEq)]
pub struct RecipeScore {
    /// Recipe name.
    pub recipe: String,
    /// What the ranking says (a prediction at the target, or a small rung's score).
    pub ranked: f64,
    /// The actual score at the target.
    pub actual: f64,
}

/// The outcome of a ranking over every pair of recipes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Decisions {
    /// Pairs of recipes.
    pub pairs: usize,
    /// Pairs ordered as at the target.
    pub right: usize,
    /// Pairs ordered the other way (an equal ranked score counts as wrong: no decision).
    pub wrong: usize,
    /// Pairs whose actual scores differ by less than the noise: neither right nor wrong.
    pub ties: usize,
}

impl Decisions {
    /// right / (right + wrong); NaN when every pair is a tie.
    pub fn accuracy(&self) -> f64 {
        self.right as f64 / (self.right + self.wrong) as f64
    }
}

/// Decision accuracy of `scores` with ties below `noise` (|actual difference| < noise). Scores
/// that are not finite leave their pairs out (not counted in `pairs`).
pub fn decision_accuracy(scores: &[RecipeScore], noise: f64) -> Decisions {
    let mut d = Decisions { pairs: 0, right: 0, wrong: 0, ties: 0 };
    for (i, a) in scores.iter().enumerate() {
        for b in &scores[i + 1..] {
            if ![a.ranked, a.actual, b.ranked, b.actual].iter().all(|v| v.is_finite()) {
                continue;
            }
            d.pairs += 1;
            let actual = a.actual - b.actual;
            if actual.abs() < noise {
                d.ties += 1;
            } else if (a.ranked - b.ranked) * actual > 0.0 {
                d.right += 1;
            } else {
                d.wrong += 1;
            }
        }
    }
    d
}

/// The compute factor k at which `b`'s prediction equals `a`'s at `target`: b is evaluated at
/// N·√k, D·√k (the target's shape, compute ×k). Found by bisection of log k in [1/`span`,
/// `span`]; `None` when the two predictions do not cross there (one recipe dominates beyond
/// the span) or a prediction is not finite. Assumes predictions rise with compute.
pub fn compute_multiplier(a: &FittedDesign, b: &FittedDesign, target: &Target, span: f64) -> Option<f64> {
    let goal = a.predict(target);
    let at = |k: f64| {
        let s = k.sqrt();
        b.predict(&Target { name: target.name.clone(), n: target.n * s, d: target.d * s, c: target.c * k }) - goal
    };
    let (mut lo, mut hi) = (-span.ln(), span.ln());
    let (f_lo, f_hi) = (at(lo.exp()), at(hi.exp()));
    if !(goal.is_finite() && f_lo.is_finite() && f_hi.is_finite()) || f_lo * f_hi > 0.0 {
        return None;
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if (at(mid.exp()) < 0.0) == (f_lo < 0.0) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Some((0.5 * (lo + hi)).exp())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn score(recipe: &str, ranked: f64, actual: f64) -> RecipeScore {
        RecipeScore { recipe: recipe.into(), ranked, actual }
    }

    #[test]
    fn a_hand_made_table_gives_the_known_fraction() {
        // Actual order a > b > c > d; the ranking swaps c and d and puts b first.
        let scores = [score("a", 0.50, 0.60), score("b", 0.55, 0.50), score("c", 0.30, 0.40), score("d", 0.35, 0.30)];
        // Pairs: ab wrong, ac right, ad right, bc right, bd right, cd wrong → 4 of 6.
        let d = decision_accuracy(&scores, 0.0);
        assert_eq!((d.pairs, d.right, d.wrong, d.ties), (6, 4, 2, 0));
        assert!((d.accuracy() - 4.0 / 6.0).abs() < 1e-15);
    }

    #[test]
    fn near_ties_are_reported_apart_and_not_counted() {
        // a and b differ by 0.005 at the target, below the noise 0.01: a tie whichever way the
        // ranking orders them.
        let scores = [score("a", 0.40, 0.505), score("b", 0.45, 0.500), score("c", 0.10, 0.30)];
        let d = decision_accuracy(&scores, 0.01);
        assert_eq!((d.pairs, d.right, d.wrong, d.ties), (3, 2, 0, 1));
        assert_eq!(d.accuracy(), 1.0);
        // All ties: no accuracy at all.
        assert!(decision_accuracy(&scores[..2], 0.01).accuracy().is_nan());
        // An equal ranked score is no decision: wrong.
        let d = decision_accuracy(&[score("a", 0.4, 0.6), score("b", 0.4, 0.5)], 0.0);
        assert_eq!((d.right, d.wrong), (0, 1));
        // A missing score leaves its pairs out.
        assert_eq!(decision_accuracy(&[score("a", f64::NAN, 0.6), score("b", 0.4, 0.5)], 0.0).pairs, 0);
    }
}
