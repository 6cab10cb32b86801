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

/// A list of words asked whether any of them occurs in a text, with a searcher per word
/// built once: `str::contains` sets up a new searcher at every call, which cost more than
/// the search on the short clauses asked about (an Aho-Corasick automaton cost more still).
#[derive(Debug)]
pub(crate) struct WordSet(Vec<Finder<'static>>);

impl WordSet {
    pub(crate) fn new<'w, W: AsRef<str> + 'w>(words: impl IntoIterator<Item = &'w W>) -> Self {
        WordSet(
            words
                .into_iter()
                .map(|w| Finder::new(w.as_ref()).into_owned())
                .collect(),
        )
    }

    /// Whether some word of the list occurs in `text`: `words.iter().any(|w| text.contains(w))`.
    pub(crate) fn any_in(&self, text: &str) -> bool {
        self.0.iter().any(|f| f.find(text.as_bytes()).is_some())
    }
}
