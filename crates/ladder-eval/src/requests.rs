//! Requests as model input (ladder-recipe §5.2, "Tokenization at eval"): context and continuation
//! tokenized separately without special tokens and concatenated; the input is that minus its last
//! token, left-truncated to the context length; the continuation's log-probabilities are read
//! from the input's last positions.

use ladder_data::tasks::TaskRequests;
use ladder_data::Tokenizer;

/// One (question, choice) pair, tokenized.
#[derive(Debug, Clone, PartialEq)]
pub struct Encoded {
    /// Index of the question in its task.
    pub question: usize,
    /// Index of the choice in its question.
    pub choice: usize,
    /// Context + continuation, without the continuation's last token, at most `max_len` tokens
    /// (the oldest dropped).
    pub input: Vec<u32>,
    /// The continuation tokens whose log-probabilities are summed: all of them, unless the
    /// continuation alone is longer than the window (then its last `input.len()`).
    pub continuation: Vec<u32>,
    /// Whether tokens were dropped from the left.
    pub truncated: bool,
}

impl Encoded {
    /// Tokenize one request for a window of `max_len` tokens.
    pub fn new(tokenizer: &dyn Tokenizer, context: &str, continuation: &str, max_len: usize, at: (usize, usize)) -> Self {
        let mut whole = tokenizer.encode(context);
        let cont = tokenizer.encode(continuation);
        whole.extend_from_slice(&cont);
        // Keep the last max_len + 1 tokens: max_len of input, the last one only as a target.
        let keep_from = whole.len().saturating_sub(max_len + 1);
        let truncated = keep_from > 0;
        let kept = &whole[keep_from..];
        let input = kept[..kept.len().saturating_sub(1)].to_vec();
        let scored = cont.len().min(input.len());
        Self { question: at.0, choice: at.1, input, continuation: cont[cont.len() - scored..].to_vec(), truncated }
    }

    /// Position in `input` of the first logit that predicts a continuation token.
    pub fn first_scored(&self) -> usize {
        self.input.len() - self.continuation.len()
    }

    /// The token each input position predicts: `input[1..]` then the continuation's last token.
    pub fn targets(&self) -> impl Iterator<Item = u32> + '_ {
        self.input.iter().skip(1).copied().chain(self.continuation.last().copied())
    }
}

/// Every request of a task, in question and choice order.
pub fn encode_task(task: &TaskRequests, tokenizer: &dyn Tokenizer, max_len: usize) -> Vec<Encoded> {
    task.questions
        .iter()
        .enumerate()
        .flat_map(|(qi, q)| q.choices.iter().enumerate().map(move |(ci, c)| (qi, ci, c)))
        .map(|(qi, ci, c)| Encoded::new(tokenizer, &c.context, &c.continuation, max_len, (qi, ci)))
        .collect()
}

/// Requests that share a token prefix, which the scorer runs once.
#[derive(Debug, Clone, PartialEq)]
pub struct PrefixGroup {
    /// The shared tokens (empty: nothing shared, every member runs from position 0).
    pub prefix: Vec<u32>,
    /// Indices of the member requests.
    pub members: Vec<usize>,
}

/// Shorter shared prefixes are not worth a cache.
pub const MIN_SHARED_PREFIX: usize = 8;

/// Group requests by the text of their shots (the context up to its last blank line), then take
/// the group's *token-level* common prefix, so the cache holds exactly the tokens every member
/// starts with, whatever the tokenizer does at the boundary. A prefix never reaches a scored
/// position. Truncated requests, and groups whose common prefix is short, run without a cache.
pub fn group_by_prefix(task: &TaskRequests, requests: &[Encoded]) -> Vec<PrefixGroup> {
    let mut by_key: std::collections::BTreeMap<&str, Vec<usize>> = std::collections::BTreeMap::new();
    let mut alone = Vec::new();
    for (i, r) in requests.iter().enumerate() {
        let context = &task.questions[r.question].choices[r.choice].context;
        match context.rfind("\n\n") {
            Some(end) if !r.truncated => by_key.entry(&context[..end]).or_default().push(i),
            _ => alone.push(i),
        }
    }
    let mut groups = Vec::new();
    for (_, members) in by_key {
        let first = &requests[members[0]].input;
        let mut shared = members.iter().map(|&i| requests[i].first_scored()).min().unwrap_or(0);
        for &i in &members[1..] {
            shared = shared.min(first.iter().zip(&requests[i].input).take_while(|(a, b)| a == b).count());
        }
        if members.len() > 1 && shared >= MIN_SHARED_PREFIX {
            groups.push(PrefixGroup { prefix: first[..shared].to_vec(), members });
        } else {
            alone.extend(members);
        }
    }
    if !alone.is_empty() {
        alone.sort_unstable();
        groups.push(PrefixGroup { prefix: Vec::new(), members: alone });
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;
    use ladder_data::tasks::{Choice, Question};
    use ladder_data::ByteTokenizer;

    #[test]
    fn input_drops_the_last_token_and_truncates_from_the_left() {
        let t = ByteTokenizer;
        let e = Encoded::new(&t, "abcdef", " xy", 100, (0, 0));
        assert_eq!(e.input, t.encode("abcdef x"));
        assert_eq!(e.continuation, t.encode(" xy"));
        assert_eq!(e.first_scored(), 5);
        assert_eq!(e.targets().collect::<Vec<_>>(), t.encode("bcdef xy"));
        assert!(!e.truncated);
        let cut = Encoded::new(&t, "abcdef", " xy", 4, (0, 0));
        assert_eq!(cut.input, t.encode("ef x"));
        assert!(cut.truncated);
        assert_eq!(cut.targets().collect::<Vec<_>>(), t.encode("f xy"));
    }

    #[test]
    fn groups_share_the_token_prefix_of_their_shots() {
        let shots = "Question: one\nAnswer: a\n\nQuestion: two\nAnswer: b\n\n";
        let q = |text: &str, gold| Question {
            doc_id: 0,
            native_id: String::new(),
            choices: vec![
                Choice { context: format!("{shots}{text}"), continuation: " x".into() },
                Choice { context: format!("{shots}{text}"), continuation: " y".into() },
            ],
            gold,
        };
        let task = TaskRequests { name: "t".into(), questions: vec![q("Question: three\nAnswer:", 0), q("Question: four\nAnswer:", 1)] };
        let requests = encode_task(&task, &ByteTokenizer, 1000);
        let groups = group_by_prefix(&task, &requests);
        assert_eq!(groups.len(), 1);
        // Bytes: the shots plus "Question: " are shared by all four requests.
        assert_eq!(groups[0].prefix.len(), shots.len() + "Question: ".len());
        assert_eq!(groups[0].members, vec![0, 1, 2, 3]);
        // Truncated requests run alone.
        let short = encode_task(&task, &ByteTokenizer, 20);
        let groups = group_by_prefix(&task, &short);
        assert_eq!((groups.len(), groups[0].prefix.len()), (1, 0));
    }
}
