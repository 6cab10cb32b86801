//! Character-level folding: the first pass of the normalizer.
//!
//! Everything here maps one character to at most one character, so it runs as a single
//! streaming pass: line endings, full-width ASCII, exotic spaces, invisible characters, and
//! Traditional to Simplified Chinese.
//!
//! The pass is byte-oriented: a [`CharTable`] holds one bit per code point of the Basic
//! Multilingual Plane telling whether folding may change that character, so the common
//! characters (printable ASCII, Simplified hanzi, CJK punctuation) are recognised from
//! their UTF-8 bytes with one bit test and copied as whole runs. Only the few characters
//! whose bit is set, and those outside the BMP, are decoded and folded one by one.

use std::fmt;

/// Simplified characters that `fast2s` maps anyway because they double as Traditional
/// variants. Mapping them would corrupt ordinary Simplified text (`捍卫`, `呵护`, `香薰`,
/// `大阪`, `磐石`, `彷徨`, `哪吒`, `煅烧`, `黏性`), which is what every report we see is
/// written in, so they are kept as written.
const KEEP_AS_WRITTEN: &[char] = &['磐', '阪', '捍', '呵', '呱', '彷', '薰', '黏', '吒', '煅'];

/// Characters whose `fast2s` conversion depends on their neighbours (`乾隆` keeps `乾`,
/// `計畫` becomes `计划` but `畫圖` becomes `画图`): the keys of its exclusion and special-case
/// tables. Every other character converts the same wherever it stands.
const CONTEXT_SENSITIVE: &[char] = &[
    '兒', '覆', '夥', '藉', '瞭', '麽', '幺', '於', '乾', '著', '苧', '闔', '鍾', '讎', '畫',
];

/// First and one-past-last code point that `fast2s` may convert (CJK Extension A up to the
/// CJK Compatibility Ideographs); all its table keys lie in between.
const T2S_FIRST: u32 = 0x3400;
const T2S_END: u32 = 0xFB00;

/// Inclusive ranges of the BMP code points that [`fold`] changes or drops wherever they
/// stand: controls, line and paragraph separators, Unicode spaces, invisible characters and
/// full-width ASCII. `\n` is not among them: it only changes after `\r`, which the fast path
/// checks itself. A test compares this list with [`fold`] on every BMP character.
const FOLDED: &[(u32, u32)] = &[
    (0x00, 0x09),
    (0x0B, 0x1F),
    (0x7F, 0xA0),
    (0xAD, 0xAD),
    (0x1680, 0x1680),
    (0x2000, 0x200D),
    (0x2028, 0x2029),
    (0x202F, 0x202F),
    (0x205F, 0x2060),
    (0x3000, 0x3000),
    (0xFEFF, 0xFEFF),
    (0xFF01, 0xFF5E),
];

/// Code points in the Basic Multilingual Plane, the domain of [`CharTable::changes`].
const BMP: usize = 0x1_0000;

/// What the character pass needs to know about characters: which ones it may change, and
/// the Traditional → Simplified mapping of those that `fast2s` converts.
///
/// `fast2s::convert` runs three hash lookups on every character; asking it once per code
/// point when the table is built, and keeping only the few characters it changes, keeps the
/// pass far above 50 MB/s. Built once per [`super::Normalizer`] for every character
/// ([`CharTable::new`]), or per document for the characters of that document only
/// ([`CharTable::for_text`]); both give the same result on that document.
pub(super) struct CharTable {
    /// One bit per BMP code point: may the pass change this character? Set for the
    /// [`FOLDED`] characters and for those `fast2s` converts or treats by context.
    changes: Box<[u64; BMP / 64]>,
    /// (traditional, simplified) pairs of the characters `fast2s` converts or treats by
    /// context, sorted by the traditional one.
    t2s: Vec<(char, char)>,
}

impl fmt::Debug for CharTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The bitset is 8 KiB of noise in a debug print; its size says enough.
        f.debug_struct("CharTable")
            .field("t2s_pairs", &self.t2s.len())
            .finish_non_exhaustive()
    }
}

impl CharTable {
    /// The table for every character `fast2s` may convert: build it once and share it.
    pub(super) fn new() -> CharTable {
        let candidates = (T2S_FIRST..T2S_END).filter_map(char::from_u32);
        CharTable::with_candidates(candidates)
    }

    /// The table for the characters of `text` only: cheaper than [`CharTable::new`] for a
    /// single document, and equivalent to it on that document.
    pub(super) fn for_text(text: &str) -> CharTable {
        let mut seen = vec![0u64; BMP / 64];
        let distinct = text.chars().filter(|&c| {
            let u = c as u32;
            let fresh = in_t2s_range(c) && !bit(&seen, u);
            if fresh {
                set_bit(&mut seen, u);
            }
            fresh
        });
        CharTable::with_candidates(distinct)
    }

    /// The table for the distinct characters `candidates`, all in `T2S_FIRST..T2S_END`.
    fn with_candidates(candidates: impl Iterator<Item = char>) -> CharTable {
        // One character per line, so that none is another's context.
        let mut isolated = String::new();
        for c in candidates {
            isolated.push(c);
            isolated.push('\n');
        }
        let mut changes = Box::new([0u64; BMP / 64]);
        for &(first, last) in FOLDED {
            (first..=last).for_each(|u| set_bit(&mut changes[..], u));
        }
        let mut t2s = Vec::new();
        // `fast2s` maps one character to exactly one, so the two sequences stay aligned.
        for (o, n) in isolated.chars().zip(fast2s::convert(&isolated).chars()) {
            // Context-sensitive characters take the slow path wherever they occur; the
            // characters kept as written never leave the fast path.
            if (o != n || CONTEXT_SENSITIVE.contains(&o))
                && !KEEP_AS_WRITTEN.contains(&o)
                && in_t2s_range(o)
            {
                set_bit(&mut changes[..], o as u32);
                t2s.push((o, n));
            }
        }
        t2s.sort_unstable();
        CharTable { changes, t2s }
    }

    /// Whether the pass may change the BMP character `u`.
    fn changes(&self, u: u32) -> bool {
        bit(&self.changes[..], u)
    }

    /// The Simplified form of `c` between `prev` and `next` (original characters).
    fn convert(&self, prev: char, c: char, next: char) -> char {
        if !in_t2s_range(c) || KEEP_AS_WRITTEN.contains(&c) {
            return c;
        }
        if CONTEXT_SENSITIVE.contains(&c) {
            let window: String = [prev, c, next].iter().collect();
            return fast2s::convert(&window).chars().nth(1).unwrap_or(c);
        }
        match self.t2s.binary_search_by(|(o, _)| o.cmp(&c)) {
            Ok(k) => self.t2s.get(k).map_or(c, |&(_, n)| n),
            Err(_) => c,
        }
    }

    /// The rest of `bytes` from the first character that the pass may change: every
    /// character before it is left as it is whatever its neighbours. This is the hot loop,
    /// so it reads code points straight from the UTF-8 bytes. `after_cr` tells whether a
    /// `\r` precedes `bytes`: a `\n` right after it is dropped, and no other character
    /// depends on what precedes it (the fast path never skips a `\r`).
    fn skip_unchanged<'a>(&self, mut bytes: &'a [u8], after_cr: bool) -> &'a [u8] {
        if after_cr && bytes.first() == Some(&b'\n') {
            return bytes;
        }
        loop {
            // Three-byte characters (hanzi, CJK punctuation) first: most of a report.
            bytes = match *bytes {
                [b0 @ 0xE0..=0xEF, b1, b2, ref tail @ ..]
                    if !self.changes(
                        u32::from(b0 & 0x0F) << 12
                            | u32::from(b1 & 0x3F) << 6
                            | u32::from(b2 & 0x3F),
                    ) =>
                {
                    tail
                }
                [0x20..=0x7E | b'\n', ref tail @ ..] => tail,
                [b0 @ 0xC2..=0xDF, b1, ref tail @ ..]
                    if !self.changes(u32::from(b0 & 0x1F) << 6 | u32::from(b1 & 0x3F)) =>
                {
                    tail
                }
                _ => return bytes,
            };
        }
    }
}

fn in_t2s_range(c: char) -> bool {
    (T2S_FIRST..T2S_END).contains(&(c as u32))
}

/// Bit `u` of a bitset; `false` beyond its end.
fn bit(bits: &[u64], u: u32) -> bool {
    let u = u as usize;
    bits.get(u / 64).is_some_and(|w| w & (1 << (u % 64)) != 0)
}

fn set_bit(bits: &mut [u64], u: u32) {
    let u = u as usize;
    if let Some(w) = bits.get_mut(u / 64) {
        *w |= 1 << (u % 64);
    }
}

/// Folds the raw text character by character.
///
/// - `\r\n`, `\r`, U+2028, U+2029, U+0085, vertical tab and form feed become `\n`;
/// - U+FF01–U+FF5E (full-width ASCII, including `，：；（）％`) become ASCII, U+3000 and every
///   other Unicode space become a plain space; nothing else is folded (no NFKC, which would
///   turn `①` list markers into digits);
/// - zero-width characters, the soft hyphen and control characters are dropped;
/// - Traditional characters become Simplified (one character for one character).
pub(super) fn prepare(text: &str, table: &CharTable) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    // Unchanged characters are copied as whole slices from `pending` on, not one by one.
    let mut pending = 0;
    let mut after_cr = false;
    let mut rest = bytes;
    loop {
        rest = table.skip_unchanged(rest, after_cr);
        let i = bytes.len() - rest.len();
        let Some((raw, folded)) = fold_at(text, i, table) else {
            break; // the end of the text
        };
        let end = i + raw.len_utf8();
        if folded != Some(raw) {
            out.push_str(text.get(pending..i).unwrap_or_default());
            out.extend(folded);
            pending = end;
        }
        after_cr = raw == '\r';
        rest = bytes.get(end..).unwrap_or_default();
    }
    out.push_str(text.get(pending..).unwrap_or_default());
    out
}

/// The slow path: the character at byte `i` of `text` and its folded form (`None` when it
/// is dropped).
fn fold_at(text: &str, i: usize, table: &CharTable) -> Option<(char, Option<char>)> {
    let raw = text.get(i..)?.chars().next()?;
    let converted = if in_t2s_range(raw) {
        // The start and end of the text count as line breaks.
        let prev = text.get(..i)?.chars().next_back().unwrap_or('\n');
        let next = text
            .get(i + raw.len_utf8()..)?
            .chars()
            .next()
            .unwrap_or('\n');
        table.convert(prev, raw, next)
    } else {
        raw
    };
    Some((raw, fold(converted, follows_cr(text.as_bytes(), i))))
}

/// Whether the character at byte `i` follows a `\r`: a `0x0D` byte is always a whole `\r`
/// in UTF-8, never part of another character.
fn follows_cr(bytes: &[u8], i: usize) -> bool {
    i > 0 && bytes.get(i - 1) == Some(&b'\r')
}

/// The folded form of one character, `None` when it is dropped.
fn fold(c: char, after_cr: bool) -> Option<char> {
    match c {
        ' '..='~' => Some(c),
        '\n' if after_cr => None,
        '\n' | '\r' | '\u{2028}' | '\u{2029}' | '\u{85}' | '\u{b}' | '\u{c}' => Some('\n'),
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0),
        '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{AD}' => None,
        c if c.is_whitespace() => Some(' '),
        c if c.is_control() => None,
        c => Some(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table for all characters, as the `Extractor` holds it, built once for all tests.
    fn full_table() -> &'static CharTable {
        static TABLE: std::sync::OnceLock<CharTable> = std::sync::OnceLock::new();
        TABLE.get_or_init(CharTable::new)
    }

    /// The fast pass with the table for all characters.
    fn prep(text: &str) -> String {
        prepare(text, full_table())
    }

    /// The straightforward definition of the pass, character by character: `fast2s` on each
    /// character between its neighbours (as the fast pass does for context-sensitive ones;
    /// every other character converts the same in any context), then [`fold`].
    fn reference(text: &str) -> String {
        let chars: Vec<char> = text.chars().collect();
        let mut out = String::new();
        for (i, &c) in chars.iter().enumerate() {
            let prev = if i == 0 { '\n' } else { chars[i - 1] };
            let next = chars.get(i + 1).copied().unwrap_or('\n');
            let converted = if in_t2s_range(c) && !KEEP_AS_WRITTEN.contains(&c) {
                let window: String = [prev, c, next].iter().collect();
                fast2s::convert(&window).chars().nth(1).unwrap_or(c)
            } else {
                c
            };
            out.extend(fold(converted, prev == '\r'));
        }
        out
    }

    #[test]
    fn line_endings() {
        assert_eq!(prep("a\r\nb\rc\u{2028}d\ne"), "a\nb\nc\nd\ne");
        assert_eq!(prep("a\r\r\nb"), "a\n\nb");
        assert_eq!(prep("\r\n\n\r"), "\n\n\n");
    }

    #[test]
    fn full_width_ascii_folds_but_cjk_punctuation_stays() {
        assert_eq!(
            prep("（一）增长６．５％，达到１２３亿元：好！"),
            "(一)增长6.5%,达到123亿元:好!"
        );
        assert_eq!(
            prep("“十四五”。、《规划》【注】"),
            "“十四五”。、《规划》【注】"
        );
        // Circled and parenthesised numbers are list markers: never folded to digits.
        assert_eq!(prep("①⑴⒈Ⅳ"), "①⑴⒈Ⅳ");
    }

    #[test]
    fn spaces_and_invisibles() {
        assert_eq!(prep("a\u{3000}b\u{a0}c\u{2002}d\te"), "a b c d e");
        assert_eq!(prep("a\u{200B}b\u{FEFF}c\u{0}d"), "abcd");
        assert_eq!(prep("\u{85}\u{9f}\u{ad}x\u{7f}"), "\nx");
    }

    #[test]
    fn traditional_to_simplified_keeps_length() {
        let t = "國民經濟和社會發展計劃執行情況";
        let s = prep(t);
        assert_eq!(s, "国民经济和社会发展计划执行情况");
        assert_eq!(s.chars().count(), t.chars().count());
    }

    #[test]
    fn same_result_as_fast2s_including_context_rules() {
        for t in [
            "乾隆的乾兒子一邊乾淨利落地擲出了一個乾卦，嘴裡嚼着芒果乾。",
            "企畫 計畫 企劃 計劃 畫圖 畫畫",
            "「藉」其他意义仍然保留的，藉口、憑藉的藉，慰藉、狼藉",
            "看著顯著，樊於期於是",
        ] {
            let ours = prep(t);
            let theirs: String = fast2s::convert(t)
                .chars()
                .map(|c| match c {
                    '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
                    c => c,
                })
                .collect();
            assert_eq!(ours, theirs.replace('\u{3000}', " "), "{t}");
            assert_eq!(prepare(t, &CharTable::for_text(t)), ours, "{t}");
        }
    }

    /// The seeds are Simplified: Traditional folding may only touch the few Traditional
    /// characters they really contain (`灤`, four times in 002), never Simplified words
    /// such as `香薰` (003), which fast2s alone would turn into `香熏`.
    #[test]
    fn seeds_are_left_alone_by_traditional_folding() {
        let seeds = [
            include_str!("../../test_data/seeds/000_efee8a99a23e30c8.txt"),
            include_str!("../../test_data/seeds/001_85ed7cce525b80c5.txt"),
            include_str!("../../test_data/seeds/002_bdff356f346cc1e3.txt"),
            include_str!("../../test_data/seeds/003_ceafcb46a5ccc8b5.txt"),
            include_str!("../../test_data/seeds/004_8de36d65d8a4f08f.txt"),
        ];
        let table = full_table();
        let mut changed = Vec::new();
        for (k, text) in seeds.iter().enumerate() {
            let chars: Vec<char> = text.chars().collect();
            for (i, c) in chars.iter().enumerate() {
                let prev = if i > 0 { chars[i - 1] } else { '\n' };
                let next = chars.get(i + 1).copied().unwrap_or('\n');
                let s = table.convert(prev, *c, next);
                if s != *c {
                    changed.push(format!("{k}:{c}→{s}"));
                }
            }
            assert_eq!(prepare(text, table), reference(text), "seed {k}");
        }
        assert_eq!(changed, vec!["2:灤→滦"; 4]);
    }

    #[test]
    fn simplified_words_fast2s_would_damage_are_kept() {
        assert_eq!(prep("捍卫香薰呵护"), "捍卫香薰呵护");
        assert_eq!(prep("森林覆盖率"), "森林覆盖率");
    }

    /// The fast path trusts [`FOLDED`] to list exactly the characters [`fold`] touches.
    #[test]
    fn folded_ranges_are_what_fold_changes() {
        for c in (0..BMP as u32).filter_map(char::from_u32) {
            let listed = FOLDED
                .iter()
                .any(|&(first, last)| (first..=last).contains(&(c as u32)));
            assert_eq!(listed, fold(c, false) != Some(c), "{:04X}", c as u32);
        }
    }

    /// `T2S_FIRST..T2S_END` must hold every character `fast2s` converts: those outside it
    /// never reach the converter.
    #[test]
    fn fast2s_converts_nothing_outside_the_range() {
        let outside: String = (0x80..0x11_0000)
            .filter(|u| !(T2S_FIRST..T2S_END).contains(u))
            .filter_map(char::from_u32)
            .flat_map(|c| [c, '\n'])
            .collect();
        assert_eq!(fast2s::convert(&outside), outside);
    }

    /// Characters that exercise every branch of the pass: ASCII, line endings, controls,
    /// Unicode spaces, invisibles, full-width forms, Simplified and Traditional hanzi,
    /// context-sensitive and kept-as-written ones, characters outside the BMP.
    const ALPHABET: &[char] = &[
        'a', 'Z', '0', ' ', '.', '~', '\n', '\r', '\t', '\u{0}', '\u{b}', '\u{c}', '\u{1f}',
        '\u{7f}', '\u{80}', '\u{85}', '\u{9f}', '\u{a0}', '\u{ad}', '·', '×', 'é', '\u{1680}',
        '\u{2003}', '\u{200b}', '\u{200d}', '\u{2028}', '\u{2029}', '\u{202f}', '\u{205f}',
        '\u{2060}', '\u{3000}', '\u{feff}', '—', '“', '…', '①', '、', '。', '《', '，', '：', '（',
        '）', '１', 'Ａ', '～', '｡', '经', '济', '增', '长', '国', '國', '經', '濟', '發', '計',
        '劃', '畫', '企', '乾', '隆', '兒', '寬', '著', '看', '藉', '口', '慰', '於', '樊', '磐',
        '阪', '捍', '薰', '灤', '㐀', '豈', '\u{F8FF}', '𠀀', '😀',
    ];

    proptest::proptest! {
        #[test]
        fn fast_pass_equals_reference(
            picks in proptest::collection::vec(
                proptest::prop_oneof![
                    4 => proptest::sample::select(ALPHABET),
                    1 => proptest::arbitrary::any::<char>(),
                ],
                0..48,
            )
        ) {
            let text: String = picks.into_iter().collect();
            let expected = reference(&text);
            proptest::prop_assert_eq!(&prep(&text), &expected, "{:?}", text);
            proptest::prop_assert_eq!(
                &prepare(&text, &CharTable::for_text(&text)),
                &expected,
                "{:?}",
                text
            );
        }
    }
}
