//! The per-question quantities of ladder-recipe §5.3, from the log-likelihood of each choice.
//! Pure arithmetic: no model here, so every number can be checked by hand.

/// What the model said about one choice.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChoiceScore {
    /// S: summed log-probability (nats) of the continuation's tokens, leading space included.
    pub logprob: f64,
    /// Unicode characters of the continuation minus one (the leading space), at least 1.
    pub chars: usize,
    /// UTF-8 bytes of the continuation without its first character, at least 1.
    pub bytes: usize,
}

impl ChoiceScore {
    /// The score of `continuation` with log-likelihood `logprob`: OLMo drops the continuation's
    /// first character (its leading space) from both length counts.
    pub fn new(continuation: &str, logprob: f64) -> Self {
        let mut chars = continuation.chars();
        let first = chars.next().map_or(0, char::len_utf8);
        Self { logprob, chars: chars.count().max(1), bytes: (continuation.len() - first).max(1) }
    }
}

/// Which score ranks the choices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ranking {
    /// The raw sum S (`acc`; BoolQ's primary metric).
    Raw,
    /// S per character (`len_norm`; every other task's primary metric).
    PerChar,
}

impl Ranking {
    /// The primary ranking of an OLMo task label: raw for BoolQ, per character otherwise.
    pub fn primary_for(task: &str) -> Self {
        if task.starts_with("boolq") {
            Ranking::Raw
        } else {
            Ranking::PerChar
        }
    }

    /// The metric's name in the OLMo columns (`acc`, `len_norm`).
    pub fn name(self) -> &'static str {
        match self {
            Ranking::Raw => "acc",
            Ranking::PerChar => "len_norm",
        }
    }

    fn score(self, c: &ChoiceScore) -> f64 {
        match self {
            Ranking::Raw => c.logprob,
            Ranking::PerChar => c.logprob / c.chars as f64,
        }
    }
}

/// Every quantity of one question.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QuestionMetrics {
    /// 1 if the raw-sum argmax is the gold choice.
    pub acc: f64,
    /// 1 if the per-character argmax is the gold choice.
    pub len_norm: f64,
    /// Bits per byte of the gold continuation: −S_g / bytes_g · log2 e.
    pub bpb: f64,
    /// Nats per character of the gold continuation: −S_g / chars_g.
    pub ce_loss: f64,
    /// Softmax of the primary scores at the gold choice.
    pub soft: f64,
    /// Log-softmax of the primary scores at the gold choice (≤ 0).
    pub soft_log: f64,
}

/// The first index of the largest value (ties go to the first, as in OLMo).
fn argmax(values: &[f64]) -> usize {
    let mut best = 0;
    for (i, v) in values.iter().enumerate() {
        if *v > values[best] {
            best = i;
        }
    }
    best
}

impl QuestionMetrics {
    /// The quantities of a question with choices `choices`, gold `gold`, soft/soft_log over the
    /// `primary` scores. Panics if `gold` is not a choice (the loaders refuse such questions).
    pub fn new(choices: &[ChoiceScore], gold: usize, primary: Ranking) -> Self {
        assert!(gold < choices.len(), "gold {gold} of {} choices", choices.len());
        let scores = |r: Ranking| choices.iter().map(|c| r.score(c)).collect::<Vec<f64>>();
        let hit = |r: Ranking| f64::from(u8::from(argmax(&scores(r)) == gold));
        let primary_scores = scores(primary);
        let max = primary_scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let lse = max + primary_scores.iter().map(|s| (s - max).exp()).sum::<f64>().ln();
        let soft_log = primary_scores[gold] - lse;
        let g = &choices[gold];
        Self {
            acc: hit(Ranking::Raw),
            len_norm: hit(Ranking::PerChar),
            bpb: -g.logprob / g.bytes as f64 * std::f64::consts::LOG2_E,
            ce_loss: -g.logprob / g.chars as f64,
            soft: soft_log.exp(),
            soft_log,
        }
    }
}

/// A task's values: unweighted means over its questions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TaskMetrics {
    /// Questions scored.
    pub questions: usize,
    /// The ranking that is the task's accuracy and the basis of soft/soft_log.
    pub primary: Ranking,
    /// Means of the per-question values.
    pub mean: QuestionMetrics,
}

impl TaskMetrics {
    /// Means over `questions` (at least one).
    pub fn mean_of(questions: &[QuestionMetrics], primary: Ranking) -> Self {
        let n = questions.len().max(1) as f64;
        let avg = |f: fn(&QuestionMetrics) -> f64| questions.iter().map(f).sum::<f64>() / n;
        Self {
            questions: questions.len(),
            primary,
            mean: QuestionMetrics {
                acc: avg(|q| q.acc),
                len_norm: avg(|q| q.len_norm),
                bpb: avg(|q| q.bpb),
                ce_loss: avg(|q| q.ce_loss),
                soft: avg(|q| q.soft),
                soft_log: avg(|q| q.soft_log),
            },
        }
    }

    /// The task's accuracy: `acc` or `len_norm` by its primary ranking.
    pub fn accuracy(&self) -> f64 {
        match self.primary {
            Ranking::Raw => self.mean.acc,
            Ranking::PerChar => self.mean.len_norm,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn lengths_drop_the_leading_space() {
        let c = ChoiceScore::new(" café", -2.0);
        assert_eq!((c.chars, c.bytes), (4, 5));
        assert_eq!(ChoiceScore::new(" ", -1.0).chars, 1);
    }

    /// Two choices, computed by hand: " no" (S = −1.0, 2 chars) and " maybe" (S = −2.5, 5 chars).
    /// Raw sums prefer " no"; per character −0.5 vs −0.5 ties, so the first wins.
    #[test]
    fn hand_computed_question() {
        let choices = [ChoiceScore::new(" no", -1.0), ChoiceScore::new(" maybe", -2.5)];
        let m = QuestionMetrics::new(&choices, 1, Ranking::PerChar);
        assert_eq!((m.acc, m.len_norm), (0.0, 0.0));
        assert!(close(m.bpb, 2.5 / 5.0 / std::f64::consts::LN_2));
        assert!(close(m.ce_loss, 0.5));
        // Equal per-char scores: softmax 1/2.
        assert!(close(m.soft, 0.5) && close(m.soft_log, -std::f64::consts::LN_2));
        let raw = QuestionMetrics::new(&choices, 0, Ranking::Raw);
        assert_eq!((raw.acc, raw.len_norm), (1.0, 1.0));
        // softmax(−1, −2.5) at 0 = 1 / (1 + e^−1.5).
        assert!(close(raw.soft, 1.0 / (1.0 + (-1.5f64).exp())));
        assert!(close(raw.soft_log, -(1.0 + (-1.5f64).exp()).ln()));
    }

    #[test]
    fn task_values_are_unweighted_means() {
        let a = QuestionMetrics { acc: 1.0, len_norm: 0.0, bpb: 1.0, ce_loss: 2.0, soft: 0.5, soft_log: -0.7 };
        let b = QuestionMetrics { acc: 0.0, len_norm: 1.0, bpb: 3.0, ce_loss: 4.0, soft: 0.1, soft_log: -2.3 };
        let t = TaskMetrics::mean_of(&[a, b], Ranking::PerChar);
        assert_eq!(t.questions, 2);
        assert!(close(t.mean.bpb, 2.0) && close(t.mean.soft_log, -1.5));
        assert_eq!(t.accuracy(), 0.5);
        assert_eq!(Ranking::primary_for("boolq_val_rc_5shot"), Ranking::Raw);
        assert_eq!(Ranking::primary_for("winogrande_val_rc_5shot"), Ranking::PerChar);
    }
}
