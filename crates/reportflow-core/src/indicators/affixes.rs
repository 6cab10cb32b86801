//! Fast lookups for the metric matcher: a hasher for its small maps of bundled words, and
//! the set of words a phrase may start or end with, asked by length instead of word by word.

use std::collections::{HashMap, HashSet};

use memchr::memmem::Finder;
use std::hash::{BuildHasherDefault, Hasher};

/// The Fx hash (as in rustc): a multiply and a rotate per eight bytes. The maps it serves
/// hold bundled words only (aliases, synonyms, affixes), so no input can crowd a bucket,
/// and the phrases looked up are short, where SipHash's setup costs more than the lookup.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct FxHasher {
    hash: u64,
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            // The length keeps `ab\0` and `ab` apart.
            self.add(u64::from_le_bytes(word) ^ ((rest.len() as u64) << 56));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.hash
    }
}

/// A `HashMap` with [`FxHasher`].
pub(crate) type FxHashMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// Words a phrase may carry at one end (the lexicon's prefixes or suffixes), found by
/// looking up the phrase's head or tail at each length a word has, longest first: a handful
/// of hash lookups instead of a comparison with every word.
#[derive(Debug)]
pub(crate) struct AffixSet {
    words: HashSet<Box<str>, BuildHasherDefault<FxHasher>>,
    /// The distinct byte lengths of the words, longest first.
    lengths: Vec<usize>,
}

impl AffixSet {
    pub(crate) fn new<'w>(words: impl IntoIterator<Item = &'w String>) -> Self {
        let words: HashSet<Box<str>, _> = words.into_iter().map(|w| w.as_str().into()).collect();
        let mut lengths: Vec<usize> = words.iter().map(|w| w.len()).collect();
        lengths.sort_unstable_by(|a, b| b.cmp(a));
        lengths.dedup();
        AffixSet { words, lengths }
    }

    /// Byte length of the longest word that `s` starts with and is longer than: the first
    /// match of the words sorted longest first (two words of one length cannot both be a
    /// prefix of `s`).
    pub(crate) fn longest_prefix(&self, s: &str) -> Option<usize> {
        self.lengths
            .iter()
            .copied()
            .filter(|&n| n < s.len())
            .find(|&n| s.get(..n).is_some_and(|head| self.words.contains(head)))
    }

    /// Byte length of the longest word that `s` ends with and is longer than.
    pub(crate) fn longest_suffix(&self, s: &str) -> Option<usize> {
        self.lengths
            .iter()
            .copied()
            .filter(|&n| n < s.len())
            .find(|&n| {
                s.get(s.len() - n..)
                    .is_some_and(|tail| self.words.contains(tail))
            })
    }
}

/// A list of words asked whether any of them occurs in a text. A short text (a phrase, a
/// clause) is read in one pass over its characters: a 1024-bit filter of the words' first
/// characters turns nearly every character away, and the words starting with one that
/// passes are compared there; setting up a searcher per word (or an Aho-Corasick automaton)
/// cost more than that whole pass. A long one (a sentence) is searched word by word with
/// searchers built once, which skip through it many bytes at a time.
#[derive(Debug)]
pub(crate) struct WordSet {
    /// A searcher per word, for long texts.
    finders: Vec<Finder<'static>>,
    /// From how many bytes on a text is long: where a pass over the characters (a few
    /// instructions per byte) costs more than a searcher per word (its setup, then a
    /// fraction of an instruction per byte).
    long: usize,
    /// Bit [`first_bit`] of each word's first character.
    firsts: [u64; 16],
    /// The words by first character, sorted by it.
    by_first: Vec<(char, Vec<Box<str>>)>,
    /// Whether the list holds the empty word, which every text holds.
    has_empty: bool,
}

/// A character's bit in [`WordSet::firsts`] (a multiplicative hash of the code point).
fn first_bit(c: char) -> (usize, u64) {
    let h = (c as u32).wrapping_mul(0x9E37_79B1) >> 22;
    ((h >> 6) as usize, 1 << (h & 63))
}

impl WordSet {
    pub(crate) fn new<'w, W: AsRef<str> + 'w>(words: impl IntoIterator<Item = &'w W>) -> Self {
        let mut set = WordSet {
            finders: Vec::new(),
            long: 0,
            firsts: [0; 16],
            by_first: Vec::new(),
            has_empty: false,
        };
        for w in words {
            let w = w.as_ref();
            set.finders.push(Finder::new(w).into_owned());
            let Some(first) = w.chars().next() else {
                set.has_empty = true;
                continue;
            };
            let (word, bit) = first_bit(first);
            set.firsts[word] |= bit;
            match set.by_first.binary_search_by_key(&first, |(c, _)| *c) {
                Ok(i) => set.by_first[i].1.push(w.into()),
                Err(i) => set.by_first.insert(i, (first, vec![w.into()])),
            }
        }
        set.long = 24 * set.finders.len();
        set
    }

    /// Where the first occurrence of a word of the list to end in `text` ends, if any:
    /// `any_in(&text[..n])` is `first_end(text).is_some_and(|e| e <= n)`, so one search of a
    /// sentence answers the question for the text before each of its figures.
    pub(crate) fn first_end(&self, text: &str) -> Option<usize> {
        if self.has_empty {
            return Some(0);
        }
        // A word's first occurrence is the one of it that ends first.
        self.finders
            .iter()
            .filter_map(|f| Some(f.find(text.as_bytes())? + f.needle().len()))
            .min()
    }

    /// Whether some word of the list occurs in `text`: `words.iter().any(|w| text.contains(w))`.
    pub(crate) fn any_in(&self, text: &str) -> bool {
        if self.has_empty {
            return true;
        }
        if text.len() > self.long {
            return self
                .finders
                .iter()
                .any(|f| f.find(text.as_bytes()).is_some());
        }
        text.char_indices().any(|(at, c)| {
            let (word, bit) = first_bit(c);
            self.firsts[word] & bit != 0
                && self
                    .by_first
                    .binary_search_by_key(&c, |(first, _)| *first)
                    .is_ok_and(|i| {
                        self.by_first[i]
                            .1
                            .iter()
                            .any(|w| text[at..].starts_with(&**w))
                    })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::WordSet;
    use proptest::prelude::*;

    fn piece() -> impl Strategy<Value = &'static str> {
        proptest::sample::select(vec![
            "五年",
            "累计",
            "五年累计",
            "合计",
            "来",
            "间",
            "增长",
            "5%",
            ",",
            "十",
        ])
    }

    proptest! {
        /// `first_end` answers `any_in` for every prefix of a text.
        #[test]
        fn first_end_answers_any_in_for_every_prefix(
            parts in proptest::collection::vec(piece(), 0..12)
        ) {
            let text: String = parts.concat();
            let set = WordSet::new(["五年累计", "五年合计", "五年来", "五年间"].iter());
            let end = set.first_end(&text);
            for (n, _) in text.char_indices().chain([(text.len(), ' ')]) {
                prop_assert_eq!(set.any_in(&text[..n]), end.is_some_and(|e| e <= n), "{} at {}", text, n);
            }
        }
    }
}
